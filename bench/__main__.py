"""``python -m bench`` (``make bench``): every benchmark in turn; options go to each."""

import sys

from bench import feeds, public

if __name__ == "__main__":
    sys.exit(feeds.main(sys.argv[1:]) or public.main(sys.argv[1:]))
