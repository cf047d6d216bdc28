"""The performance benchmark behind SPEC §8: ``make bench N=100000`` (see ``bench.run``)."""
