"""The RFC 3261 §17 state tables (figures 5-8), checked transition by transition against the RFC."""
from cfgvm.stdlib.tm import states as S


def test_client_invite_figure5():
    t = S.CLIENT_INVITE
    assert S.initial(t) == S.CALLING
    assert S.step(t, S.CALLING, S.TIMER_A) == (S.CALLING, (S.RETRANSMIT, S.START_A))
    assert S.step(t, S.CALLING, S.TIMER_B)[0] == S.TERMINATED
    assert S.step(t, S.CALLING, S.R1XX)[0] == S.PROCEEDING
    assert S.step(t, S.CALLING, S.R2XX)[0] == S.TERMINATED          # 2xx: the TU acks end to end
    st, acts = S.step(t, S.PROCEEDING, S.R3456)
    assert st == S.COMPLETED and S.SEND_ACK in acts and S.START_D in acts
    assert S.step(t, S.COMPLETED, S.R3456) == (S.COMPLETED, (S.SEND_ACK,))   # retransmitted final
    assert S.step(t, S.COMPLETED, S.TIMER_D)[0] == S.TERMINATED
    assert S.step(t, S.COMPLETED, S.R1XX) == (S.COMPLETED, ())       # absorbed


def test_client_non_invite_figure6():
    t = S.CLIENT_NON_INVITE
    assert S.initial(t) == S.TRYING
    assert S.step(t, S.TRYING, S.R1XX)[0] == S.PROCEEDING
    assert S.step(t, S.TRYING, S.TIMER_F)[0] == S.TERMINATED
    for ev in (S.R2XX, S.R3456):
        st, acts = S.step(t, S.PROCEEDING, ev)
        assert st == S.COMPLETED and S.START_K in acts and S.SEND_ACK not in acts
    assert S.step(t, S.COMPLETED, S.TIMER_K)[0] == S.TERMINATED


def test_server_invite_figure7():
    t = S.SERVER_INVITE
    assert S.initial(t) == S.PROCEEDING
    assert S.step(t, S.PROCEEDING, S.REQ_RETR) == (S.PROCEEDING, (S.RESEND_REPLY,))
    assert S.step(t, S.PROCEEDING, S.TU_2XX)[0] == S.TERMINATED
    st, acts = S.step(t, S.PROCEEDING, S.TU_3456)
    assert st == S.COMPLETED and S.START_G in acts and S.START_H in acts
    assert S.step(t, S.COMPLETED, S.ACK)[0] == S.CONFIRMED
    assert S.step(t, S.COMPLETED, S.TIMER_H)[0] == S.TERMINATED
    assert S.step(t, S.CONFIRMED, S.TIMER_I)[0] == S.TERMINATED


def test_server_non_invite_figure8():
    t = S.SERVER_NON_INVITE
    assert S.initial(t) == S.TRYING
    assert S.step(t, S.TRYING, S.TU_1XX)[0] == S.PROCEEDING
    assert S.step(t, S.TRYING, S.TU_2XX)[0] == S.COMPLETED
    assert S.step(t, S.COMPLETED, S.REQ_RETR) == (S.COMPLETED, (S.RESEND_REPLY,))
    assert S.step(t, S.COMPLETED, S.TIMER_J)[0] == S.TERMINATED


def test_reply_events():
    assert S.reply_event(180) == S.R1XX and S.reply_event(200) == S.R2XX and S.reply_event(486) == S.R3456
    assert S.reply_event(100, server=True) == S.TU_1XX and S.reply_event(603, server=True) == S.TU_3456
