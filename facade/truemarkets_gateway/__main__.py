"""`python -m truemarkets_gateway` runs the `tmgw` command line."""

from truemarkets_gateway.cli import main

if __name__ == "__main__":
    main()
