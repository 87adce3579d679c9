#!/usr/bin/env python3
"""Write shiplint's man page from the tool's own description of itself.

Usage: python3 packaging/manpage.py SHIPLINT > shiplint.1

Runs `SHIPLINT --experimental-dump-help` (swift-argument-parser's ToolInfo JSON, serialization version 0, the input of
its `generate-manual` plugin) and renders it as one man(7) page: the synopsis, the discussion (exit statuses), and
every subcommand with its arguments and options. The date is the last commit's, so the page is the same on every
build of one commit. Python 3 standard library only.
"""

import json
import subprocess
import sys
import time
import os


def escape(text):
    """Roff-safe text: backslashes doubled, a leading dot or quote guarded."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def argument_synopsis(argument):
    names = argument.get("names") or []
    value = argument.get("valueName") or ""
    if argument["kind"] == "positional":
        text = f"<{value}>"
    else:
        preferred = argument.get("preferredName") or (names[0] if names else {"kind": "long", "name": value})
        dash = "--" if preferred["kind"] in ("long",) else "-"
        text = f"{dash}{preferred['name']}"
        if argument["kind"] == "option":
            text += f" <{value}>"
    if argument.get("isRepeating"):
        text += " ..."
    return f"[{text}]" if argument.get("isOptional") else text


def argument_label(argument):
    if argument["kind"] == "positional":
        return f"<{argument.get('valueName', '')}>"
    parts = []
    for name in argument.get("names") or []:
        dash = "--" if name["kind"] == "long" else "-"
        label = f"{dash}{name['name']}"
        if argument["kind"] == "option":
            label += f" <{argument.get('valueName', '')}>"
        parts.append(label)
    return ", ".join(parts)


def visible(items):
    return [item for item in items or [] if item.get("shouldDisplay", True)]


def render_arguments(arguments, out):
    for argument in visible(arguments):
        if argument_label(argument) in ("--help, -h", "-h, --help", "--version"):
            continue
        out.append(".TP")
        out.append("\\fB" + escape(argument_label(argument)) + "\\fR")
        help_text = argument.get("abstract", "")
        if argument.get("defaultValue"):
            help_text += f" (default: {argument['defaultValue']})"
        if argument.get("allValues"):
            help_text += " (values: " + ", ".join(argument["allValues"]) + ")"
        out.append(escape(help_text))
        if argument.get("discussion"):
            out.append(".IP")
            out.append(escape(str(argument["discussion"])))


def render(info, date):
    command = info["command"]
    name = command["commandName"]
    out = [
        f'.TH {name.upper()} 1 "{date}" "{name}" "User Commands"',
        ".SH NAME",
        f"{name} \\- " + escape(command.get("abstract", "")),
        ".SH SYNOPSIS",
        f".B {name}",
        "<subcommand> [<options>]",
        ".SH DESCRIPTION",
    ]
    for paragraph in command.get("discussion", "").split("\n\n"):
        if paragraph.strip().startswith("EXIT STATUS"):
            continue
        out += [".PP", escape(paragraph.strip())]
    out.append(".SH COMMANDS")
    for sub in visible(command.get("subcommands")):
        if sub["commandName"] == "help":
            continue
        synopsis = " ".join(argument_synopsis(a) for a in visible(sub.get("arguments"))
                            if argument_label(a) not in ("--help, -h", "-h, --help", "--version"))
        out += [".SS " + escape(f"{name} {sub['commandName']}"), ".B " + escape(f"{name} {sub['commandName']}"),
                escape(synopsis), ".PP", escape(sub.get("abstract", ""))]
        if sub.get("discussion"):
            out += [".PP", escape(sub["discussion"])]
        for nested in visible(sub.get("subcommands")):
            out += [".TP", "\\fB" + escape(f"{sub['commandName']} {nested['commandName']}") + "\\fR",
                    escape(nested.get("abstract", ""))]
        render_arguments(sub.get("arguments"), out)
    exit_status = [p for p in command.get("discussion", "").split("\n\n") if p.strip().startswith("EXIT STATUS")]
    if exit_status:
        out.append(".SH EXIT STATUS")
        for line in exit_status[0].strip().split("\n")[1:]:
            code, _, meaning = line.strip().partition("  ")
            if code.strip().isdigit():
                out += [".TP", f"\\fB{code.strip()}\\fR", escape(meaning.strip())]
            elif out[-1] != ".TP":
                out[-1] += " " + escape(line.strip())
    out += [".SH SEE ALSO", "shiplint targets, shiplint checks, and the README of the shiplint repository."]
    return "\n".join(out) + "\n"


def commit_date():
    try:
        stamp = subprocess.run(["git", "log", "-1", "--format=%ct"], capture_output=True, text=True,
                               cwd=os.path.dirname(os.path.abspath(__file__)), check=True).stdout.strip()
        return time.strftime("%Y-%m-%d", time.gmtime(int(stamp)))
    except (subprocess.CalledProcessError, ValueError, OSError):
        return time.strftime("%Y-%m-%d", time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", "0"))))


def main(argv):
    if len(argv) != 2:
        print("usage: manpage.py SHIPLINT", file=sys.stderr)
        return 2
    dump = subprocess.run([argv[1], "--experimental-dump-help"], capture_output=True, text=True, check=True).stdout
    info = json.loads(dump)
    if info.get("serializationVersion") != 0:
        print(f"manpage.py: unknown dump-help serialization version {info.get('serializationVersion')}", file=sys.stderr)
        return 2
    sys.stdout.write(render(info, commit_date()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
