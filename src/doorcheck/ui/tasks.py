"""Work off the GUI thread, its answer back on it: the window's task runner.

In the spirit of Anki's QueryOp: ``runner.run(work, on_success, on_failure)`` runs
``work`` (a plain callable that touches no Qt object) on a worker thread of the
application's shared pool, and calls ``on_success(result)`` or ``on_failure(exception)`` on
the GUI thread, through a queued signal. A search over 100,000 guests or an export
then never freezes the door screen; a scan keeps its one short transaction on the
GUI thread, since its verdict must be on screen at once.

- ``key``: the latest task with a key wins; an older one's answer is dropped (search
  as you type: the answer for "mü" must not replace the one for "müller").
- A failure nobody handles is logged by its kind (an exception's text may carry a
  guest's data) and shown to staff in words; nothing raises into Qt's event loop.
- The runner belongs to a widget (its Qt parent). Once that widget is gone, or the
  runner is closed (the window closes), answers are dropped: a task still running
  never calls back into a deleted widget. ``close()`` waits for running tasks briefly.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from doorcheck.sync.health import describe
from doorcheck.ui.i18n import say, tr
from doorcheck.ui.plain import MAX_WARNING, clip

log = logging.getLogger(__name__)
CLOSE_WAIT_MS = 2000  # how long a closing window waits for a task that is running


class _Relay(QObject):
    """Carries an answer from a worker thread to the GUI thread. It has no Qt parent,
    so it outlives the runner's widget while a task still holds it: a worker never
    emits on a deleted object."""

    done = Signal(int, bool, object)  # the task's number, succeeded, result or exception


class _Channel:
    """What a worker needs to hand its answer back, and whether anyone still wants it.
    The lock makes "closed" and "answer sent" exclusive: after close() no answer is
    queued, and close() waits for one being queued. It counts the tasks running, so
    a closing window can wait for its own tasks (the pool is shared)."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.open = True
        self.running = 0
        self.relay = _Relay()

    def begin(self) -> bool:
        with self.lock:
            if self.open:
                self.running += 1
            return self.open

    def end(self, number: int, ok: bool, value: object) -> None:
        with self.lock:
            self.running -= 1
            if self.open:
                self.relay.done.emit(number, ok, value)
            self.lock.notify_all()

    def close(self, wait_ms: int = 0) -> None:
        with self.lock:
            self.open = False
            self.lock.wait_for(lambda: self.running == 0, wait_ms / 1000)


class TaskRunner(QObject):
    """Runs the tasks of one widget (``parent``); see the module's description."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._widget = parent
        self._channel = _Channel()
        self._channel.relay.done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        # The application's pool: it outlives every widget, so deleting a widget
        # never waits for a task (a pool of its own would, in its destructor).
        self._pool = QThreadPool.globalInstance()
        self._numbers = itertools.count(1)
        # number -> (key, on_success, on_failure); only touched on the GUI thread
        self._waiting: dict[int, tuple[Hashable | None, Callable[[Any], None],
                                       Callable[[BaseException], None] | None]] = {}  # fmt: skip
        self._latest: dict[Hashable, int] = {}
        channel = self._channel
        # The widget going (and this runner with it) ends all answers. Connected to a
        # function that holds the channel, not the runner, which is deleted by then.
        parent.destroyed.connect(lambda *_: channel.close())

    def run(
        self,
        work: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        key: Hashable | None = None,
    ) -> None:
        if not self._channel.open:
            return  # closing: a late click starts nothing
        number = next(self._numbers)
        self._waiting[number] = (key, on_success, on_failure)
        if key is not None:
            self._latest[key] = number
        channel = self._channel

        # The task holds the work and the channel, never a widget: a widget's last
        # reference must not be dropped on a worker thread.
        def task() -> None:
            if not channel.begin():
                return  # closed before it started: nobody wants its answer
            try:
                result = work()
            except BaseException as exc:
                channel.end(number, False, exc)
            else:
                channel.end(number, True, result)

        self._pool.start(task)

    def drop(self, key: Hashable) -> None:
        """The answer of the task with ``key`` still running is no longer wanted."""
        self._latest[key] = 0

    @property
    def busy(self) -> bool:
        """Some task's answer has not been handled yet."""
        return bool(self._waiting)

    def close(self, wait_ms: int = CLOSE_WAIT_MS) -> None:
        """No answers from now on; tasks not started yet never start; a running one is
        waited for up to ``wait_ms`` (then abandoned: it ends on its own, unheard)."""
        self._waiting.clear()
        self._channel.close(wait_ms)

    def _deliver(self, number: int, ok: bool, value: object) -> None:
        entry = self._waiting.pop(number, None)
        if entry is None or not self._channel.open:
            return
        key, on_success, on_failure = entry
        try:
            if key is not None and self._latest.get(key) != number:
                return  # a newer task with this key was started: its answer counts
            if ok:
                on_success(value)
            elif on_failure is not None:
                assert isinstance(value, BaseException)
                on_failure(value)
            else:
                assert isinstance(value, BaseException)
                self._unhandled(value)
        except Exception as exc:
            # A callback that fails must not raise into Qt's event loop either.
            self._unhandled(exc)
        finally:
            if key is not None and self._latest.get(key) == number:
                del self._latest[key]

    def report(self, exc: BaseException) -> None:
        """What happens to a failure nobody handles; an ``on_failure`` that handles
        only some kinds hands the others on here."""
        self._unhandled(exc)

    def _unhandled(self, exc: BaseException) -> None:
        # The kind only, never the message: it may carry a guest's name or email.
        log.error("a task of the window failed: %s", type(exc).__name__)
        show_failure(self._widget, exc)


def show_failure(parent: QWidget, exc: BaseException) -> QMessageBox:
    """Staff are told in words that something they asked for was not done. The box
    opens without a nested event loop (``open``, not ``exec``): the door keeps
    scanning behind it."""
    text = tr("This could not be done: {why}").format(why=say(describe(exc)))
    box = QMessageBox(
        QMessageBox.Icon.Warning, tr("Not done"), clip(text, MAX_WARNING), parent=parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def settle(widget: QWidget, timeout: float = 10.0) -> bool:
    """Runs the event loop until every task of ``widget`` and its children is
    answered (or ``timeout`` seconds passed): for screenshots, which grab what is
    on screen. False if some task was still running."""
    deadline = time.monotonic() + timeout
    runners = widget.findChildren(TaskRunner)
    while any(runner.busy for runner in runners):
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)
    return True
