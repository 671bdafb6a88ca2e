from chathpc.cli import main

raise SystemExit(main())
