from cfgvm.cli import main

raise SystemExit(main())
