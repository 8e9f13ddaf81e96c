#!/usr/bin/env python3
"""doccheck.py: checks that the documentation names only what exists.

  doccheck.py paths ROOT WRITTEN DOC...
      every file path a document names (in backticks, in a link, or as an
      argument of a naryn command in a code block) exists, relative to ROOT
      or to the document's folder; names of files naryn writes (listed in
      WRITTEN) and placeholders (DIR, NAME...) are not paths of the
      repository.
  doccheck.py commands NARYN DOC...
      every "naryn COMMAND" is a command "naryn --help" lists, and every
      --option given to it appears in that command's --help; an option
      named alone must appear in some command's --help.
  doccheck.py writes NARYN WRITTEN COMMAND FOLDER [NAME=PATTERN]...
      every file and folder naryn wrote into FOLDER (its --out folder) is
      listed by "naryn COMMAND --help" (a folder as NAME/ or DIR/NAME) and
      by WRITTEN; NAME=PATTERN says that a written name NAME is listed as
      PATTERN (point-01=point-NN); NAME= that it was there before.

Each fault is printed as FILE:LINE: message; the exit status is 1 when
there is one, 0 when there is none, 2 on bad usage. The last line says
what was checked.
"""
import glob
import os
import re
import subprocess
import sys

FENCE = re.compile(r"^\s*(```|~~~)")
SPAN = re.compile(r"`([^`]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
# The start of a naryn command: the command itself, the one a build makes,
# or under mpirun.
NARYN = re.compile(r"^(?:\$\s+)?(?:mpirun\s+-np\s+\S+\s+)?(?:\S*/)?naryn(?:\s+(.*))?$")
UNIT = re.compile(r"^(m3|hm3|km3|m|mm|GWh|MWh|MW|USD)/")
EXTENSIONS = ("md c h cpp yaml yml json csv sh py html nc txt mps map in h2m "
              "supp 1 pc deb so a").split()
# Parts of a name that stand for something else: a path holding one is a
# pattern, not a file.
NOT_PLACEHOLDERS = {"README"}


def fail(where, msg):
    print(f"{where}: {msg}")


def read_written(path):
    """The allow-list: names naryn writes, and folders of its output."""
    names = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    return names


def doc_items(path):
    """Yields (line number, kind, text) for each inline span, link target
    and naryn command line (in or out of a code block) of a Markdown
    file. A command line ending in a backslash is joined to the next."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    in_fence = False
    pending = None
    for no, line in enumerate(lines, 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            text = line.strip()
            if pending is not None:
                pending[1] += " " + text.rstrip("\\").strip()
                if not text.endswith("\\"):
                    yield pending[0], "command", pending[1]
                    pending = None
                continue
            text = text.split("  #", 1)[0].strip()
            if NARYN.match(text):
                if text.endswith("\\"):
                    pending = [no, text.rstrip("\\").strip()]
                else:
                    yield no, "command", text
            continue
        # Four-space indented blocks are code too (errors.md's messages).
        if line.startswith("    ") and not line.lstrip().startswith(("*", "-", "|")):
            continue
        for m in SPAN.finditer(line):
            text = m.group(1).strip()
            yield no, ("command" if NARYN.match(text) else "span"), text
        for m in LINK.finditer(line):
            yield no, "link", m.group(1)


def is_placeholder(token):
    for part in re.split(r"[/.\-_]", token):
        if len(part) >= 1 and part.isupper() and part not in NOT_PLACEHOLDERS:
            return True
    return any(c in token for c in "<>{}[]|$~=,") or "..." in token


def looks_like_path(token):
    if UNIT.match(token):
        return False
    if not re.fullmatch(r"[A-Za-z0-9_.\-/*]+", token) or token.startswith("-"):
        return False
    if "/" in token.strip("/") or token.endswith("/"):
        return bool(re.search(r"[A-Za-z]", token)) and not re.fullmatch(r"[\d/.]+", token)
    ext = token.rsplit(".", 1)[-1] if "." in token else ""
    return ext in EXTENSIONS and not token.startswith(".")


def written_name(token, written):
    """Whether token names something naryn writes rather than a file of
    the repository: a listed name, a path inside a listed folder, or a
    listed name at the end of a path."""
    t = token.rstrip("/")
    for w in written:
        if w.endswith("/"):
            if token.startswith(w) or t == w.rstrip("/"):
                return True
        elif t == w or t.endswith("/" + w):
            # A results path (results/x/nodes.csv) or a bare name; a path
            # into the repository is looked up like any other.
            if t == w or t.startswith("results/"):
                return True
    return False


def repo_names(root):
    """The name of every file and folder of the repository (a folder's
    with a slash), for a bare name such as `naryn.h`."""
    names = set()
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith((".", "build", "results"))]
        names.update(x + "/" for x in dirs)
        names.update(files)
    return names


def exists(root, base, tok, names):
    """Whether tok names a file of the repository: from the top, from the
    document's folder, a bare name anywhere, or a program by its source
    (bench/runtime for bench/runtime.c)."""
    for d in (root, os.path.join(root, base)):
        p = os.path.join(d, tok)
        if ("*" in tok and glob.glob(p)) or os.path.exists(p) or os.path.exists(p + ".c"):
            return True
    bare = tok.rstrip("/")
    return "/" not in bare and "*" not in bare and tok in names


def check_paths(root, written_file, docs):
    written = read_written(written_file)
    names = repo_names(root)
    faults = seen = 0
    for doc in docs:
        base = os.path.dirname(doc)
        for no, kind, text in doc_items(doc):
            if kind == "link":
                target = text.split("#", 1)[0]
                if not target or re.match(r"^[a-z]+:", target):
                    continue
                tokens = [target]
            elif kind == "command":
                # A bare name in a command is the reader's own file
                # (naryn simulate basin.yaml); a path is looked up.
                tokens = [t for t in text.split()[1:] if "/" in t.strip("/")]
            else:
                tokens = [text] if " " not in text else []
            for tok in tokens:
                if kind != "link" and not looks_like_path(tok):
                    continue
                if tok.startswith("/") or is_placeholder(tok) or written_name(tok, written):
                    continue
                seen += 1
                if not exists(root, base, tok, names):
                    faults += 1
                    fail(f"{doc}:{no}", f"`{tok}` names no file of the repository "
                         f"(looked from the top and from {base or '.'}/); if naryn "
                         f"writes it, add it to the list of written names")
    print(f"{len(docs)} documents, {seen} paths looked up, {faults} missing")
    return faults


def helps(naryn):
    """The command names of naryn --help, and each command's --help."""
    top = subprocess.run([naryn, "--help"], capture_output=True, text=True).stdout
    commands = []
    in_list = False
    for line in top.split("\n"):
        if line.startswith("Commands:"):
            in_list = True
            continue
        if in_list:
            if not line.strip():
                break
            m = re.match(r"^  ([a-z]+)\s", line)
            if m:
                commands.append(m.group(1))
    text = {"": top}
    for c in commands:
        text[c] = subprocess.run([naryn, c, "--help"], capture_output=True, text=True).stdout
    return commands, text


def has_option(helptext, opt):
    return re.search(re.escape(opt) + r"(?![a-z0-9-])", helptext) is not None


def check_commands(naryn, docs):
    commands, text = helps(naryn)
    if not commands:
        fail(naryn, "--help lists no commands")
        return 1
    subcommands = {"inflows": ["fit", "generate"]}
    faults = seen = 0
    for doc in docs:
        for no, kind, item in doc_items(doc):
            where = f"{doc}:{no}"
            if kind == "command":
                m = NARYN.match(item)
                words = (m.group(1) or "").split()
                cmd = ""
                if words and ("..." in words[0] or is_placeholder(words[0])):
                    continue
                if words and not words[0].startswith("-"):
                    cmd = words[0]
                    seen += 1
                    if cmd not in commands:
                        faults += 1
                        fail(where, f"`naryn {cmd}`: no such command in naryn --help "
                             f"({', '.join(commands)})")
                        continue
                    if cmd in subcommands and len(words) > 1 and words[1] not in subcommands[cmd] \
                            and not words[1].startswith("-"):
                        faults += 1
                        fail(where, f"`naryn {cmd} {words[1]}`: no such part of naryn {cmd}")
                for opt in OPTION.findall(" ".join(words)):
                    seen += 1
                    if not has_option(text[cmd], opt):
                        faults += 1
                        fail(where, f"`{opt}` is not in naryn {cmd + ' ' if cmd else ''}--help")
            elif kind == "span" and item.startswith("--"):
                opt = OPTION.match(item)
                if not opt:
                    continue
                seen += 1
                if not any(has_option(t, opt.group(0)) for t in text.values()):
                    faults += 1
                    fail(where, f"`{opt.group(0)}` is in no command's --help")
    print(f"{len(docs)} documents, {len(commands)} commands, {seen} commands and options "
          f"looked up, {faults} unknown")
    return faults


def check_writes(naryn, written_file, command, folder, renames):
    written = read_written(written_file)
    helptext = subprocess.run([naryn] + command.split() + ["--help"], capture_output=True,
                              text=True).stdout
    rename = dict(r.split("=", 1) for r in renames)
    faults = 0
    names = sorted(os.listdir(folder))
    for name in names:
        is_dir = os.path.isdir(os.path.join(folder, name))
        shown = rename.get(name, name)
        if not shown:
            continue
        if is_dir:
            listed = re.search(r"(?<![\w.-])(DIR/)?" + re.escape(shown) + r"(/|(?![\w.-]))",
                               helptext)
            in_list = shown + "/" in written
        else:
            listed = re.search(r"(?<![\w.-])" + re.escape(shown) + r"(?![\w-])", helptext)
            # A placeholder (FIT.yaml) names a file the command line names.
            in_list = shown in written or is_placeholder(shown)
        if not listed:
            faults += 1
            fail(f"naryn {command} --help", f"does not list {shown}{'/' if is_dir else ''}, "
                 f"which it wrote")
        if not in_list:
            faults += 1
            fail(written_file, f"does not list {shown}{'/' if is_dir else ''}, which naryn "
                 f"{command} wrote")
    if not names:
        faults += 1
        fail(folder, "naryn wrote nothing here")
    print(f"naryn {command}: {len(names)} files and folders written, {faults} faults")
    return faults


def main(argv):
    if len(argv) >= 4 and argv[1] == "paths":
        return 1 if check_paths(argv[2], argv[3], argv[4:]) else 0
    if len(argv) >= 3 and argv[1] == "commands":
        return 1 if check_commands(argv[2], argv[3:]) else 0
    if len(argv) >= 6 and argv[1] == "writes":
        return 1 if check_writes(argv[2], argv[3], argv[4], argv[5], argv[6:]) else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
