"""python -m civicgrid_devstack run"""

import sys

from civicgrid_devstack.stack import main

if __name__ == "__main__":
    if sys.argv[1:] != ["run"]:
        sys.exit("usage: python -m civicgrid_devstack run")
    main()
