from plextray.cli import main

raise SystemExit(main())
