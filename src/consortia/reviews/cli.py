"""`consortia export-review ID --format pdf|md [--output FILE]`: a review as a file.

An operator's command (like verify-poll): it reads the review by id. Bad input is one line on
stderr and exit status 2; the Markdown goes to stdout when no --output is given (a PDF needs
--output or a redirected stdout).
"""

from __future__ import annotations

import sys
from pathlib import Path

from consortia.cli import CliError, ConciseArgumentParser

PROG = "consortia export-review"


def build_parser() -> ConciseArgumentParser:
    parser = ConciseArgumentParser(
        prog=PROG, description="Export a joint review as Markdown or PDF."
    )
    parser.add_argument("review_id", metavar="ID", help="the review's id")
    parser.add_argument("--format", choices=["pdf", "md"], default="md", help="default: md")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        review_id = int(args.review_id)
        if review_id < 1 or review_id > 2**63 - 1:
            raise ValueError
    except ValueError:
        raise CliError(f"ID must be a positive whole number, not {args.review_id!r}", 2) from None
    from consortia.reviews import export
    from consortia.reviews.models import Review

    review = (
        Review.objects.select_related("initiative__network", "held_by").filter(pk=review_id).first()
    )
    if review is None:
        raise CliError(f"there is no review {review_id}", 2)
    if args.format == "pdf" and not args.output and sys.stdout.isatty():
        raise CliError("a PDF is binary: give --output FILE or redirect stdout", 2)
    data = export.pdf(review) if args.format == "pdf" else export.markdown(review).encode()
    if args.output:
        path = Path(args.output)
        if path.is_dir():
            raise CliError(f"{path} is a directory; name a file", 2)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CliError(f"cannot write {path}: {exc.strerror}", 2) from None
        print(f"review {review.pk} written to {path} ({len(data):,} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
