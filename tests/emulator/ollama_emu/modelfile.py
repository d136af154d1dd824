"""The Modelfile grammar (parser/parser.go ParseFile, quote, unquote) and File.String()."""

import re

from .env import E, Fail

INVALID_ROLE = 'message role must be one of "system", "user", or "assistant"'
# Commands Command.String() writes as `NAME value` (parser/parser.go at v0.33.0-rc2).
TEXT_COMMANDS = ("license", "template", "system", "adapter", "renderer", "parser", "requires",
                 "draft")


def invalid_command(keywords):
    """errInvalidCommand of the era: `command must be one of "from", …, or "message"`."""
    quoted = ['"%s"' % k for k in keywords]
    return "command must be one of %s, or %s" % (", ".join(quoted[:-1]), quoted[-1])


def unquote(s):
    if s.startswith('"""'):
        return (s[3:-3], True) if len(s) >= 6 and s.endswith('"""') else ("", False)
    if s.startswith('"'):
        return (s[1:-1], True) if len(s) >= 2 and s.endswith('"') else ("", False)
    return s, True


def quote(s):
    if "\n" in s or s.startswith(" ") or s.endswith(" "):
        return '"""%s"""' % s if '"' in s else '"%s"' % s
    return s


def go_trim(s):
    return s.strip(" \t\n\r\v\f\x85\xa0")


def step(c, state):
    """parseRuneForState: (next state, kept rune or None) or raises."""
    space, newline, alpha = c in " \t", c in "\r\n", c.isascii() and c.isalpha()
    if state == "nil":
        return ("comment", None) if c == "#" else ("nil", None) if space or newline else ("name", c)
    if state == "name":
        if alpha:
            return "name", c
        if space:
            return "value", None
        raise ValueError("invalid")
    if state == "value":
        # A space also leaves the value; ParseFile then keeps it, unfiltered.
        return ("nil", c) if newline or space else ("value", c)
    if state in ("parameter", "message"):
        if alpha or (state == "parameter" and (c.isascii() and c.isdigit() or c == "_")):
            return state, c
        if space:
            return "value", None
        raise EOFError()
    return ("nil", None) if newline else ("comment", None)


def parse_modelfile(text, keywords=None):
    """ParseFile: [(name, args)] or raises Fail with Ollama's wording; `keywords` are the
    era's commands unless given."""
    keywords = keywords or E["keywords"]
    invalid = invalid_command(keywords)
    if text.startswith("\ufeff"):
        text = text[1:]
    cmds, name, role, buf, state, line = [], "", None, "", "nil", 1
    for c in text:
        if c in "\r\n":
            line += 1
        try:
            nxt, kept = step(c, state)
        except EOFError:
            raise Fail("unexpected EOF: " + buf)
        except ValueError:
            raise Fail("(line %d): %s" % (line, invalid))
        if nxt != state:
            if state == "name":
                word = buf.lower()
                if word not in keywords:
                    raise Fail("(line %d): %s" % (line, invalid))
                if word == "from":
                    name = "model"
                elif word == "parameter":
                    nxt = "parameter"
                elif word == "message":
                    nxt, name = "message", word
                else:
                    name = word
            elif state == "parameter":
                name = buf
            elif state == "message":
                if buf not in ("system", "user", "assistant"):
                    raise Fail("(line %d): %s" % (line, INVALID_ROLE))
                role = buf
            elif state == "value":
                value, ok = unquote(go_trim(buf))
                if not ok or c in " \t":
                    buf += c
                    continue
                cmds.append((name, role + ": " + value if role else value))
                role = None
            buf, state = "", nxt
        if kept is not None and kept.isprintable() and kept != "\ufeff":
            buf += kept
    if state == "value":
        value, ok = unquote(go_trim(buf))
        if not ok:
            raise Fail("unexpected EOF")
        cmds.append((name, role + ": " + value if role else value))
    elif state not in ("nil", "comment"):
        raise Fail("unexpected EOF")
    if not any(n == "model" for n, _ in cmds):
        raise Fail("no FROM line")
    return cmds


def command_string(name, value):
    """Command.String(): what `show --modelfile` and the <= 0.5.4 client write."""
    if name == "model":
        return "FROM %s" % value
    if name in TEXT_COMMANDS:
        return "%s %s" % (name.upper(), quote(value))
    if name == "message":
        role, _, content = value.partition(": ")
        return "MESSAGE %s %s" % (role, quote(content))
    return "PARAMETER %s %s" % (name, quote(value))


def file_string(cmds):
    """File.String(): one Command.String() per line."""
    return "".join(command_string(n, v) + "\n" for n, v in cmds)


def server_parse(cmds):
    """What the server gets. Up to 0.5.4 the client sends File.String() and the server
    parses it again (cmd/cmd.go CreateHandler, server/routes.go CreateHandler at v0.5.4):
    a value that quote() leaves bare but that needs quoting (a leading quote) no longer
    parses, an empty quoted value stays empty, and everything else, a CR LF included, comes
    through unchanged (observed on the real 0.5.4). Later clients send the parsed fields."""
    if not E["reserialize"]:
        return cmds
    return parse_modelfile(file_string(cmds))


_NUM = r"(?:0|[1-9][0-9]*)"
_IDENT = r"(?:[0-9A-Za-z-]+)"
SEMVER = re.compile(r"^v%s(?:\.%s(?:\.%s(?:-%s(?:\.%s)*)?(?:\+%s(?:\.%s)*)?)?)?$"
                    % (_NUM, _NUM, _NUM, _IDENT, _IDENT, _IDENT, _IDENT))


def valid_requires(value):
    """golang.org/x/mod/semver IsValid after adding a `v` (parser.go CreateRequest): returns
    the stored value without the `v`, or None. Numeric prerelease parts have no leading 0."""
    v = value if value.startswith("v") else "v" + value
    if not SEMVER.match(v):
        return None
    pre = v.partition("-")[2].partition("+")[0] if "-" in v.partition("+")[0] else ""
    if any(p.isdigit() and len(p) > 1 and p[0] == "0" for p in pre.split(".") if pre):
        return None
    return v[1:]
