"""``consortia agenda export --as EMAIL [--output FILE]``: the organization's agenda as Markdown.

The person's own organization's agenda, with its criteria and prospects (the same document as
the page's export). A person without an organization has no agenda: one line, exit status 2.
"""

from __future__ import annotations

from pathlib import Path

PROG = "consortia agenda"


def main(argv: list[str]) -> int:
    from consortia.cli import CliError, ConciseArgumentParser

    parser = ConciseArgumentParser(
        prog=PROG, description="The partnering agenda of your organization (private to it)."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    export_parser = commands.add_parser(
        "export", help="print the agenda, criteria and prospects as Markdown"
    )
    export_parser.add_argument(
        "--as", dest="email", required=True, metavar="EMAIL", help="a person of the organization"
    )
    export_parser.add_argument("--output", "-o", metavar="FILE", help="write here, not stdout")
    args = parser.parse_args(argv)

    from consortia.networks.models import Person

    from .export import agenda_markdown

    person = (
        Person.objects.select_related("org_membership__organization")
        .filter(email__iexact=args.email.strip(), is_active=True)
        .first()
    )
    if person is None or person.organization is None:
        raise CliError(f"no active person {args.email} with an organization", 2, prog=PROG)
    text = agenda_markdown(person.organization)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {args.output}: {exc.strerror}", 2, prog=PROG) from None
        return 0
    print(text, end="")
    return 0
