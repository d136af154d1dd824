"""What Go's text/template parser refuses in a TEMPLATE (template.Parse in template/template.go,
which `create` calls): unclosed actions and comments, unknown functions, unbalanced
if/range/with/define/block and end. Only this structural part; the rest is accepted."""

from .env import E, Fail

BUILTINS = {"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print",
            "printf", "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne"}
KEYWORDS = {"block", "break", "continue", "define", "else", "end", "if", "range", "nil",
            "template", "with", "true", "false"}
OPENERS = ("if", "range", "with", "define", "block")
WORD = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def fail(line, message):
    raise Fail("template error: template: :%d: %s" % (line, message))


def check(text):
    """Raises `template error: template: :LINE: …` as the era's server would."""
    funcs = BUILTINS | set(E["template_funcs"])
    stack, pos = [], 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            break
        line = 1 + text.count("\n", 0, start)
        i = start + 2
        if text[i:i + 1] == "-" and text[i + 1:i + 2] in (" ", "\t", "\r", "\n"):
            i += 2  # a trim marker
        if text.startswith("/*", i):
            pos = comment_end(text, i, line)
            continue
        first, pos = action(text, i, line, funcs)
        if first is None:
            continue
        word, word_line = first
        if word in OPENERS:
            stack.append(word)
        elif word == "end" and not stack:
            fail(word_line, "unexpected {{end}}")
        elif word == "end":
            stack.pop()
        elif word == "else" and (not stack or stack[-1] not in ("if", "range", "with")):
            fail(word_line, "unexpected {{else}}")
    if stack:
        fail(1 + text.count("\n"), "unexpected EOF")


def comment_end(text, i, line):
    """The position after a `{{/* … */}}` comment."""
    end = text.find("*/", i + 2)
    if end < 0:
        fail(line, "unclosed comment")
    after = end + 2
    if text.startswith(" -}}", after):
        return after + 4
    if not text.startswith("}}", after):
        fail(line, "comment ends before closing delimiter")
    return after + 2


def action(text, i, line, funcs):
    """Scans one action from `i`: ((its first word, that word's line) or None, the position
    after `}}`); raises on an unknown function, an unterminated string or a missing `}}`."""
    first, n = None, len(text)
    while i < n:
        if text.startswith("}}", i) or text.startswith(" -}}", i):
            return first, text.index("}}", i) + 2
        c = text[i]
        if c in "\"`'":
            end = quoted_end(text, i)
            if first is None:
                first = ("", line)
            i = end
            continue
        if c in WORD and c not in "0123456789":
            j = i
            while j < n and text[j] in WORD:
                j += 1
            word, prev = text[i:j], text[i - 1]
            word_line = 1 + text.count("\n", 0, i)
            if prev not in ".$" and word not in KEYWORDS and word not in funcs:
                fail(word_line, 'function "%s" not defined' % word)
            if first is None:
                first = (word if prev not in ".$" else "", word_line)
            i = j
            continue
        if first is None and c not in " \t\r\n":
            first = ("", line)
        i += 1
    last = 1 + text.count("\n")
    fail(last, "unclosed action" + (" started at :%d" % line if line != last else ""))


def quoted_end(text, i):
    """The position after the string or character constant that starts at `i`."""
    quote, j, line = text[i], i + 1, 1 + text.count("\n", 0, i)
    while j < len(text):
        c = text[j]
        if c == quote:
            return j + 1
        if c == "\\" and quote != "`":
            j += 2
            continue
        if c == "\n" and quote != "`":
            break
        j += 1
    fail(line, "unterminated raw quoted string" if quote == "`" else
         "unterminated quoted string" if quote == '"' else "unterminated character constant")
