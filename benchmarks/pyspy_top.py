#!/usr/bin/env python3
"""Summarise py-spy ``--format raw`` files (collapsed stacks).

Prints the share of samples per thread, the functions where the samples
were taken (self) and the functions on the stack (inclusive)::

    .venv/bin/python benchmarks/pyspy_top.py benchmark-profiles/*worker-a*.txt

Several files are added up (e.g. both protection workers).
"""

import argparse
import collections
import sys


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('files', nargs='+')
    p.add_argument('--top', type=int, default=25)
    args = p.parse_args(argv)
    own = collections.Counter()
    inclusive = collections.Counter()
    threads = collections.Counter()
    total = 0
    for path in args.files:
        with open(path) as f:
            for line in f:
                stack, _, count = line.rstrip('\n').rpartition(' ')
                if not stack or not count.isdigit():
                    continue
                count = int(count)
                total += count
                frames = stack.split(';')
                threads[frames[0].split(':', 1)[-1].strip()] += count
                own[frames[-1]] += count
                for frame in set(frames[1:]):
                    inclusive[frame] += count
    if not total:
        sys.stderr.write('no samples\n')
        return 1
    out = sys.stdout
    out.write('%d samples\n' % total)
    for title, counter, top in (('threads', threads, 10),
                                ('self', own, args.top),
                                ('inclusive', inclusive, args.top * 2)):
        out.write('\n-- %s\n' % title)
        for name, count in counter.most_common(top):
            out.write('%5.1f%%  %s\n' % (100.0 * count / total, name))
    return 0


if __name__ == '__main__':
    sys.exit(main())
