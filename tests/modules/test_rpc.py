"""RPC command handlers (handler(mod, shared, *params) -> plain data). Expected values are what
Kamailio 5.6.3's kamcmd printed for the same sequence (config: two htables a=>size=4;autoexpire=100 and
b=>size=8;initval=5, script counters foo/bar, cfgutils hash_file), structs as dicts, arrays as lists."""
import hashlib

import pytest

from cfgvm.exports import RpcError
from cfgvm.stdlib import cfgutils, counters, htable, kex, sl
from cfgvm.vm.context import SharedState
from modules.helpers import mod_instance

NOW = 1000.0


@pytest.fixture
def ht():
    mod = mod_instance(htable)
    htable.add_htable(mod, "a=>size=4;autoexpire=100;")
    htable.add_htable(mod, "b=>size=8;initval=5;")
    htable.init(mod)
    sh = SharedState()
    tabs = htable.tables(htable._Shared(sh), mod)
    tabs["a"].set("x", "hello", NOW)
    tabs["a"].set("n", 42, NOW)
    tabs["b"].set("k1", "v", NOW)
    return mod, sh


def test_htable_list_tables_and_stats(ht):
    mod, sh = ht
    assert htable.rpc_list_tables(mod, sh) == [
        {"name": "b", "dbtable": "", "dbmode": 0, "expire": 0, "updateexpire": 1, "size": 256,
         "dmqreplicate": 0},
        {"name": "a", "dbtable": "", "dbmode": 0, "expire": 100, "updateexpire": 1, "size": 16,
         "dmqreplicate": 0}]
    assert htable.rpc_stats(mod, sh, now=NOW) == [{"name": "b", "slots": 256, "all": 1, "min": 0, "max": 1},
                                                  {"name": "a", "slots": 16, "all": 2, "min": 0, "max": 1}]


def test_htable_get_set_dump_delete_flush(ht):
    mod, sh = ht
    got = htable.rpc_get(mod, sh, "a", "x", now=NOW)["item"]
    assert (got["name"], got["value"], got["flags"]) == ("x", "hello", 2)
    assert htable.rpc_get(mod, sh, "a", "n", now=NOW)["item"]["flags"] == 0
    with pytest.raises(RpcError, match="500 - Key name doesn't exist in htable."):
        htable.rpc_get(mod, sh, "a", "nope", now=NOW)
    with pytest.raises(RpcError, match="500 - No such htable"):
        htable.rpc_get(mod, sh, "zz", "x", now=NOW)
    assert htable.rpc_dump(mod, sh, "a", now=NOW) == [
        {"entry": 3, "size": 1, "slot": [{"name": "n", "value": 42, "type": "int"}]},
        {"entry": 7, "size": 1, "slot": [{"name": "x", "value": "hello", "type": "str"}]}]
    assert htable.rpc_dump(mod, sh, "b", now=NOW) == [
        {"entry": 102, "size": 1, "slot": [{"name": "k1", "value": "v", "type": "str"}]}]
    assert htable.rpc_sets(mod, sh, "a", "s1", "val", now=NOW) == "Ok. Key set to new value."
    assert htable.rpc_seti(mod, sh, "a", "i1", "7", now=NOW) == "Ok. Key set to new value."
    assert htable.rpc_get(mod, sh, "a", "i1", now=NOW)["item"]["value"] == 7
    assert htable.rpc_setex(mod, sh, "a", "s1", "50", now=NOW) == "Ok"
    assert htable.rpc_setxs(mod, sh, "a", "s2", "v2", "30", now=NOW) == "Ok. Key set to new value."
    assert htable.rpc_setxi(mod, sh, "a", "i2", "9", "30", now=NOW) == "Ok. Key set to new value."
    # slots 3 and 6 hold two items each, ordered by hash id as 5.6.3 dumps them
    assert htable.rpc_dump(mod, sh, "a", now=NOW) == [
        {"entry": 3, "size": 2, "slot": [{"name": "n", "value": 42, "type": "int"},
                                         {"name": "i2", "value": 9, "type": "int"}]},
        {"entry": 6, "size": 2, "slot": [{"name": "i1", "value": 7, "type": "int"},
                                         {"name": "s2", "value": "v2", "type": "str"}]},
        {"entry": 7, "size": 1, "slot": [{"name": "x", "value": "hello", "type": "str"}]},
        {"entry": 9, "size": 1, "slot": [{"name": "s1", "value": "val", "type": "str"}]}]
    assert htable.rpc_delete(mod, sh, "a", "s1", now=NOW) == "Ok. Key deleted."
    with pytest.raises(RpcError, match="404 - Key not found in htable."):
        htable.rpc_delete(mod, sh, "a", "nope", now=NOW)
    with pytest.raises(RpcError, match="500 - No htable db_url"):
        htable.rpc_reload(mod, sh, "a")
    with pytest.raises(RpcError, match="500 - No htable db_url"):
        htable.EXPORTS.rpc["htable.store"](mod, sh, "a")
    assert htable.rpc_flush(mod, sh, "b") == "Ok. Htable flushed."
    assert htable.rpc_dump(mod, sh, "b", now=NOW) == []
    assert htable.rpc_stats(mod, sh, now=NOW) == [{"name": "b", "slots": 256, "all": 0, "min": 0, "max": 0},
                                                  {"name": "a", "slots": 16, "all": 5, "min": 0, "max": 2}]
    # no expiry in a table without autoexpire
    htable.rpc_sets(mod, sh, "b", "k2", "zz", now=NOW)
    assert htable.rpc_get(mod, sh, "b", "k2", now=NOW)["item"]["expire"] == "NEVER"
    # expired items are gone
    assert htable.rpc_dump(mod, sh, "a", now=NOW + 101) == []


def test_cfgutils_gflags_and_prob_as_kamcmd():
    m = mod_instance(cfgutils)
    sh = SharedState()
    assert cfgutils.rpc_get_gflags(m, sh) == "0x0 (0)"
    cfgutils.rpc_set_gflag(m, sh, "3")                 # a bit mask, not a flag index
    assert cfgutils.rpc_get_gflags(m, sh) == "0x3 (3)"
    assert cfgutils.rpc_is_gflag(m, sh, "1") == "TRUE"
    assert cfgutils.rpc_is_gflag(m, sh, "5") == "FALSE"
    cfgutils.rpc_reset_gflag(m, sh, "1")
    assert cfgutils.rpc_get_gflags(m, sh) == "0x2 (2)"
    assert cfgutils.rpc_rand_get_prob(m, sh) == "actual probability: 10 percent"
    cfgutils.rpc_rand_set_prob(m, sh, "40")
    assert cfgutils.rpc_rand_get_prob(m, sh) == "actual probability: 40 percent"
    with pytest.raises(RpcError, match="500 - Invalid Percent"):
        cfgutils.rpc_rand_set_prob(m, sh, "140")
    cfgutils.rpc_rand_reset_prob(m, sh)
    assert cfgutils.rpc_rand_get_prob(m, sh) == "actual probability: 10 percent"


def test_cfgutils_config_hash(tmp_path):
    cfg = tmp_path / "k.cfg"
    cfg.write_bytes(b"#!KAMAILIO\nrequest_route { drop; }\n")
    m = mod_instance(cfgutils, hash_file=str(cfg))
    sh = SharedState()
    assert cfgutils.rpc_get_config_hash(m, sh) == hashlib.md5(cfg.read_bytes()).hexdigest()
    assert cfgutils.rpc_check_config_hash(m, sh) == "Identical hash"
    cfg.write_bytes(cfg.read_bytes() + b"# changed\n")
    assert cfgutils.rpc_check_config_hash(m, sh) == "Different hash"
    assert cfgutils.rpc_get_config_hash(m, sh) != hashlib.md5(cfg.read_bytes()).hexdigest()
    with pytest.raises(RpcError, match="500 - No hash file"):
        cfgutils.rpc_check_config_hash(mod_instance(cfgutils), sh)
    with pytest.raises(ValueError):
        mod_instance(cfgutils, hash_file=str(tmp_path / "missing.cfg"))


@pytest.fixture
def stats():
    """counters foo ("Foo counter") and bar, foo incremented once; sl sent one 200 (the live session)."""
    cnt = mod_instance(counters)
    counters.add_script_counter(cnt, "foo Foo counter")
    counters.add_script_counter(cnt, "bar")
    mods = {"counters": cnt, "sl": mod_instance(sl), "kex": mod_instance(kex)}
    sh = SharedState()
    sh.modules["counters"] = {"script.foo": 1}
    sh.modules["sl"] = {"stats": {"200_replies": 1, "sent_replies": 1}}
    return mods, sh


def test_counters_rpc_as_kamcmd(stats):
    mods, sh = stats
    cnt = mods["counters"]
    rpc = counters.EXPORTS.rpc
    assert rpc["cnt.get"](cnt, sh, "script", "foo", modules=mods) == 1
    assert rpc["cnt.get"](cnt, sh, "script", "bar", modules=mods) == 0
    assert rpc["cnt.get"](cnt, sh, "sl", "200_replies", modules=mods) == 1
    with pytest.raises(RpcError, match="400 - non-existent counter script.nope"):
        rpc["cnt.get"](cnt, sh, "script", "nope", modules=mods)
    with pytest.raises(RpcError, match="400 - non-existent counter nope.foo"):
        rpc["cnt.get"](cnt, sh, "nope", "foo", modules=mods)
    assert rpc["cnt.help"](cnt, sh, "script", "foo", modules=mods) == "Foo counter"
    assert rpc["cnt.reset"](cnt, sh, "script", "foo", modules=mods) is None
    assert rpc["cnt.get"](cnt, sh, "script", "foo", modules=mods) == 0
    assert rpc["cnt.grp_get_all"](cnt, sh, "script", modules=mods) == {"bar": 0, "foo": 0}
    assert rpc["cnt.get_vars"](cnt, sh, "script", modules=mods) == {"bar": 0, "foo": 0}
    assert rpc["cnt.grp_get_all"](cnt, sh, "nope", modules=mods) == {}
    assert rpc["cnt.var_list"](cnt, sh, "script", modules=mods) == ["bar", "foo"]
    assert rpc["cnt.var_list"](cnt, sh, "nope", modules=mods) == []
    # 5.6.3 also lists core, dns and shmem: statistics cfgvm does not keep
    assert rpc["cnt.grps_list"](cnt, sh, modules=mods) == ["script", "sl"]
    assert "cnt.grp_list" not in rpc           # "command cnt.grp_list not found" in 5.6.3


def test_kex_stats_rpc_as_kamcmd(stats):
    mods, sh = stats
    k = mods["kex"]
    assert kex.rpc_get_statistics(k, sh, "script:", modules=mods) == ["script:bar = 0", "script:foo = 1"]
    assert kex.rpc_get_statistics(k, sh, "foo", modules=mods) == ["script:foo = 1"]
    assert kex.rpc_get_statistics(k, sh, "sent_replies", modules=mods) == ["sl:sent_replies = 1"]
    assert kex.rpc_get_statistics(k, sh, "script:foo", modules=mods) == []
    assert kex.rpc_get_statistics(k, sh, "nope", modules=mods) == []
    assert kex.rpc_get_statistics(k, sh, "nope:", modules=mods) == []
    assert kex.rpc_get_statistics(k, sh, "script:", "foo", modules=mods) == [
        "script:bar = 0", "script:foo = 1", "script:foo = 1"]
    assert kex.rpc_fetch(k, sh, "foo", modules=mods) == {"script.foo": 1}
    got = kex.rpc_fetch(k, sh, "sl:", modules=mods)
    assert list(got)[:3] == ["sl.1xx_replies", "sl.200_replies", "sl.202_replies"]
    assert got["sl.200_replies"] == 1 and len(got) == len(sl.STATS)
    kex.rpc_reset_statistics(k, sh, "sl:sent_replies", modules=mods)      # matches nothing
    assert kex.rpc_get_statistics(k, sh, "sent_replies", modules=mods) == ["sl:sent_replies = 1"]
    cleared = kex.rpc_clear_statistics(k, sh, "sl:", modules=mods)
    assert cleared[:2] == ["sl:1xx_replies = 0", "sl:200_replies = 1"]
    assert kex.rpc_fetch(k, sh, "sl:", modules=mods)["sl.200_replies"] == 0
    kex.rpc_reset_statistics(k, sh, "foo", modules=mods)
    assert kex.rpc_fetch(k, sh, "foo", modules=mods) == {"script.foo": 0}
    assert kex.RPC["core.version"](k, sh) == "kamailio 5.6.3 (x86_64/linux) "
    assert kex.RPC["core.echo"](k, sh, "a", "b") == ["a", "b"]
    assert kex.RPC["core.printi"](k, sh, "3", "4") == [3, 4]
