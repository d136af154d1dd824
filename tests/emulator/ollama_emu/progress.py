"""The CLI's progress display on stderr (progress/progress.go, bar.go, spinner.go)."""

import sys

from .env import E, STREAMED
from .fmt import human_bytes

SPIN = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Progress:
    """The frames of progress.Progress: spinners and bars, redrawn on every change."""

    def __init__(self):
        self.states = []  # [kind, text, stopped, total, completed]
        self.pos = 0
        self.started = False

    def spinner(self, text):
        self.stop_spinners()
        self.states.append(["spin", text, False, 0, 0])
        self.render()

    def relabel(self, text):
        """spinner.SetMessage on the newest spinner (a new one if there is none)."""
        if self.states and self.states[-1][0] == "spin":
            self.states[-1][1] = text
            self.render()
        else:
            self.spinner(text)

    def bar(self, text, total, completed):
        self.stop_spinners()
        self.states.append(["bar", text, completed >= total, total, completed])
        self.render()
        return self.states[-1]

    def set(self, bar, completed):
        bar[4] = completed
        bar[2] = completed >= bar[3]
        self.render()

    def stop_spinners(self):
        for s in self.states:
            if s[0] == "spin":
                s[2] = True

    def line(self, s):
        kind, text, stopped, total, completed = s
        if kind == "spin":
            return text.strip() + " " + ("" if stopped else SPIN[0] + " ")
        pre = text.strip() + " " + "%3.0f%%" % (100.0 * completed / total if total else 0)
        if stopped:
            size = human_bytes(total)
            suf = " " * (6 - len(size)) + size + " " * 25
        else:
            cur, mx = human_bytes(completed), human_bytes(total)
            suf = " " * (6 - len(cur)) + cur + "/" + " " * (6 - len(mx)) + mx
            suf += "  " + "100 MB/s" + "  " + "1s"
        f = max(80 - len(pre) - len(suf) - 5, 0)
        n = int(f * completed / total) if total else 0
        return pre + " ▕" + "█" * n + " " * (f - n) + "▏ " + suf

    def render(self):
        """One frame in the era's form: from 0.5.12 the cursor goes back up and each line is
        rewritten then cleared to its end, inside synchronized-output markers; before, every
        line drawn is cleared first, from the bottom up (progress/progress.go render at
        v0.5.4, v0.5.7 and v0.12.6)."""
        self.started = True
        w = sys.stderr
        if E["markers"]:  # at most a terminal's height of lines (24 without one)
            shown = self.states[-24:]
            w.write("\x1b[?2026h\x1b[?25l" + "\x1b[A" * max(self.pos - 1, 0) + "\x1b[1G")
            w.write("\n".join(self.line(s) + "\x1b[K" for s in shown))
        else:
            w.write("\x1b[?25l" + "\x1b[A".join(["\x1b[2K\x1b[1G"] * self.pos))
            w.write("\n".join(self.line(s) for s in self.states))
        self.pos = len(self.states)
        w.write("\x1b[?25h")
        if E["markers"]:
            w.write("\x1b[?2026l")
        w.flush()

    def stop(self):
        """Progress.Stop: a last frame and a newline, nothing if nothing was ever shown."""
        if not self.started:
            return
        self.stop_spinners()
        self.render()
        sys.stderr.write("\n")
        sys.stderr.flush()


def server_status(progress, text):
    """A status line streamed by the server: from now on errors print without prefix."""
    STREAMED[0] = True
    progress.spinner(text)
