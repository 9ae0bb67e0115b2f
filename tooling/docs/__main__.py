import sys

from tooling.docs import main

sys.exit(main())
