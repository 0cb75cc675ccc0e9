import sys

try:
    from .cli import EXIT_INTERRUPTED, main
except KeyboardInterrupt:  # Ctrl-C while PyTorch is still loading
    sys.exit(130)

sys.exit(main())
