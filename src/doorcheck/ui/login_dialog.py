"""Logging a door in: type the station's details, or scan its setup code."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from doorcheck.protocol.errors import StationError
from doorcheck.protocol.setup import parse_setup
from doorcheck.scan.scanner import ScanEvent
from doorcheck.session.errors import DoorError
from doorcheck.sync.health import describe
from doorcheck.ui.camera_bridge import CameraBridge
from doorcheck.ui.i18n import mark, say, tr
from doorcheck.ui.plain import clip, plain_labels
from doorcheck.ui.preview import CameraPreview
from doorcheck.ui.tasks import TaskRunner
from doorcheck.words import Phrase, phrase

log = logging.getLogger(__name__)
MAX_PREVIEW_LINES = 40  # of a guest list file's preview: what fits the dialog
MAX_MESSAGE = 600  # characters of an error the dialog shows (a server's text, maybe)

# source, address (URL or file), event, secret (App Code, API key, token), station
LoginFunction = Callable[[str, str, str, str, str], object]


@dataclass(frozen=True)
class SourceForm:
    """How the login screen asks for one kind of guest source; a label of ""
    hides that field."""

    name: str
    title: str
    address: str
    secret: str
    event: str
    event_needed: bool
    default_address: str = ""
    second_secret: str = ""  # Eventbrite's legacy API has two keys


SOURCE_FORMS = (
    SourceForm("station", mark("Check-in station"), mark("Server"), mark("App Code"),
               mark("Event ID"), True),
    SourceForm("xing", mark("XING Events"), mark("API address"), mark("API key"),
               mark("Event ID (optional)"), False, "https://api.xing-events.com"),
    SourceForm("eventbrite", mark("Eventbrite"), mark("API address"), mark("Token"),
               mark("Event ID"), True, "https://www.eventbriteapi.com"),
    SourceForm("eventbrite-legacy", mark("Eventbrite (legacy XML API)"), mark("API address"),
               mark("User key"), mark("Event ID"), True, "https://www.eventbrite.com",
               second_secret=mark("Application key")),
    SourceForm("spreadsheet", mark("Guest list file (CSV, XLSX, Eventbrite XML)"),
               mark("File"), "", "", False),
)  # fmt: skip


class LoginDialog(QDialog):
    """``login`` runs off the GUI thread through the task runner (it talks to the
    network); its refusals (DoorError, StationError) are shown in words, and success
    closes the dialog."""

    def __init__(
        self,
        login: LoginFunction,
        camera: Callable[[], CameraBridge] | None = None,
        preview: Callable[[str], Sequence[str | Phrase]] | None = None,
        parent: QWidget | None = None,
        *,
        pair: Callable[[str], object] | None = None,
        is_pairing_code: Callable[[str], bool] = lambda _: False,
    ) -> None:
        super().__init__(parent)
        # Another door's pairing code starts this one as a door of the event with
        # no server to ask (docs/peers.md); off the GUI thread, as a login.
        self._pair = pair
        self._is_pairing_code = is_pairing_code
        self._preview = preview  # a guest list file: what would be loaded, in words
        self.setWindowTitle(tr("Log this door in"))
        self._login = login
        self.server = QLineEdit()
        self.server.setPlaceholderText("https://checkin.example.org")
        self.event_id = QLineEdit()
        self.app_code = QLineEdit()
        self.app_code.setEchoMode(QLineEdit.EchoMode.Password)
        self.station = QLineEdit()
        self.app_key = QLineEdit()  # the legacy Eventbrite API's second key
        self.app_key.setEchoMode(QLineEdit.EchoMode.Password)
        # Chosen here, read by the login off the GUI thread as a plain value.
        self.encrypt = QCheckBox(tr("Encrypt this door's guest data (its key in the OS keyring)"))
        self.encrypt_chosen = False
        self.message = QLabel(tr("Type the station's details, or scan its setup code."))
        self.message.setWordWrap(True)
        self.button = QPushButton(tr("Log in"))
        self.button.setDefault(True)
        self.source = QComboBox()
        self.source.setAccessibleName(tr("Where the guests come from"))
        for item in SOURCE_FORMS:
            self.source.addItem(tr(item.title), item.name)
        self.browse = QPushButton(tr("Choose\u2026"))
        self.browse.clicked.connect(self._choose_file)
        address = QHBoxLayout()
        address.setContentsMargins(0, 0, 0, 0)
        address.addWidget(self.server, 1)
        address.addWidget(self.browse)
        self.address_row = QWidget()
        self.address_row.setLayout(address)
        self.form = QFormLayout()
        self.form.addRow(tr("Guests from"), self.source)
        for label, field, name in ((tr("Server"), self.address_row, tr("Server address")),
                                   (tr("Event ID"), self.event_id, tr("Event ID")),
                                   (tr("App Code"), self.app_code, tr("App Code")),
                                   (tr("Application key"), self.app_key,
                                    tr("Application key")),
                                   (tr("Station"), self.station, tr("Station name"))):  # fmt: skip
            field.setAccessibleName(name)
            field.setMinimumWidth(380)
            self.form.addRow(label, field)
        self.server.setAccessibleName(tr("Server address"))
        self.source.currentIndexChanged.connect(lambda _: self._show_source())
        form = self.form
        self._camera_factory = camera
        self.camera: CameraBridge | None = None
        self.scan_button = QPushButton(tr("Scan the setup code with the camera"))
        self.scan_button.setVisible(camera is not None)
        self.scan_button.clicked.connect(self.start_camera)
        self.preview = CameraPreview()
        self.preview.setMinimumSize(480, 270)
        self.preview.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.encrypt)
        layout.addWidget(self.message)
        layout.addWidget(self.button)
        layout.addWidget(self.scan_button)
        layout.addWidget(self.preview)
        self.tasks = TaskRunner(self)  # logging in and previews, off the GUI thread
        self.button.clicked.connect(self.submit)
        self._show_source()
        plain_labels(self)  # server answers and file previews come from outside

    @property
    def chosen(self) -> SourceForm:
        return SOURCE_FORMS[max(0, self.source.currentIndex())]

    def _show_source(self) -> None:
        """Only the fields this kind of source needs, with its own words."""
        chosen = self.chosen
        rows = ((self.address_row, chosen.address), (self.app_code, chosen.secret),
                (self.event_id, chosen.event), (self.app_key, chosen.second_secret))  # fmt: skip
        for field, label in rows:
            self.form.setRowVisible(field, bool(label))
            text = self.form.labelForField(field)
            if isinstance(text, QLabel) and label:
                text.setText(tr(label))
        self.browse.setVisible(chosen.name == "spreadsheet")
        self.server.setPlaceholderText(chosen.default_address or "https://checkin.example.org")
        if chosen.name == "spreadsheet":
            self.server.setPlaceholderText(tr("the guest list file"))
        self.scan_button.setVisible(self._camera_factory is not None and chosen.name == "station")

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Guest list"), "", tr("Guest lists (*.csv *.xlsx *.txt *.xml)")
        )
        if path:
            self.server.setText(path)
            self.show_preview(path)

    def show_preview(self, path: str) -> None:
        """What the file would load (columns found, problems, the first guests), worked
        out on a worker thread: a list of 100,000 rows takes a moment."""
        if self._preview is None:
            return
        preview = self._preview
        self.message.setStyleSheet("")
        self.message.setText(tr("Reading the file\u2026"))

        def work() -> str:
            lines = preview(path)[:MAX_PREVIEW_LINES]
            return "\n".join(clip(say(line)) for line in lines)

        # The latest file picked wins: an earlier, slower preview is dropped.
        self.tasks.run(work, self.message.setText, key="preview")

    def fill_from_setup(self, text: str) -> bool:
        """A scanned code: if it is a station setup code, fill in and log in; if it
        is another door's pairing code, start as a door of its event."""
        if self._pair is not None and self._is_pairing_code(text):
            self.pair_with(text)
            return True
        setup = parse_setup(text)
        if setup is None:
            self.message.setText(tr("That code is not a station setup code."))
            return False
        self.source.setCurrentIndex(0)  # a setup code is always a station's
        self.server.setText(setup.url)
        self.event_id.setText(setup.event_id)
        self.app_code.setText(setup.app_code)
        self.station.setText(setup.station_name)
        self.submit()
        return True

    def submit(self) -> None:
        chosen = self.chosen
        address = self.server.text().strip() or chosen.default_address
        event, secret, station = (w.text().strip() for w in (self.event_id, self.app_code,
                                                             self.station))  # fmt: skip
        needed = [address, station]
        needed += [secret] if chosen.secret else []
        if chosen.second_secret:  # both legacy Eventbrite keys travel as one secret
            needed.append(self.app_key.text().strip())
            secret = f"{self.app_key.text().strip()}\n{secret}"
        needed += [event] if chosen.event_needed else []
        if not all(needed):
            self.message.setText(
                tr("Fill in all four fields (or scan the setup code).")
                if chosen.name == "station"
                else tr("Fill in the fields shown.")
            )
            return
        self.button.setEnabled(False)
        self.encrypt_chosen = self.encrypt.isChecked()
        self.message.setText(tr("Logging in and fetching the guest list\u2026"))
        values = (chosen.name, address, event, secret, station)

        login = self._login

        def failed(exc: BaseException) -> None:
            if isinstance(exc, (DoorError, StationError)):
                self._finished(exc.words)
                return
            # Never hang on "Logging in…": anything else is said by its kind, and
            # logged by its kind only (its text may hold what was typed).
            log.error("logging in failed: %s", type(exc).__name__)
            self._finished(phrase("Logging in failed: {why}", why=describe(exc)))

        self.tasks.run(lambda: login(*values), lambda _: self._finished(None), failed)

    def pair_with(self, code: str) -> None:
        pair = self._pair
        if pair is None:
            return
        self.button.setEnabled(False)
        self.encrypt_chosen = self.encrypt.isChecked()
        self.message.setText(tr("Joining the event's doors\u2026"))

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DoorError):
                self._finished(exc.words)
                return
            log.error("pairing failed: %s", type(exc).__name__)  # the code is a secret
            self._finished(phrase("Pairing failed: {why}", why=describe(exc)))

        self.tasks.run(lambda: pair(code), lambda _: self._finished(None), failed)

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.message.setText(clip(text, MAX_MESSAGE))

    def start_camera(self) -> None:
        """The camera reads codes until one is a station setup code."""
        if self._camera_factory is None or self.camera is not None:
            return
        self.camera = self._camera_factory()
        self.camera.frame.connect(self.preview.show_frame)
        self.camera.problem.connect(lambda text: self.preview.show_problem(text) if text else None)
        self.camera.scanned.connect(self._camera_code)
        self.preview.show()
        self.scan_button.setEnabled(False)
        self.message.setText(tr("Hold the station's setup code to the camera."))
        self.camera.start()

    def stop_camera(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.camera = None
        self.preview.hide()
        self.scan_button.setEnabled(True)

    def _camera_code(self, event: ScanEvent) -> None:
        if self._pair is not None and self._is_pairing_code(event.payload):
            self.stop_camera()
            self.pair_with(event.payload)
            return
        if parse_setup(event.payload) is None:
            self.message.setText(tr("That code is not a station setup code."))
            return
        self.stop_camera()
        self.fill_from_setup(event.payload)

    def done(self, result: int) -> None:  # accept, reject and closing all end here
        self.stop_camera()
        super().done(result)

    def _finished(self, error: str | Phrase | None) -> None:
        self.button.setEnabled(True)
        if error is None:
            self.accept()
        else:
            self.show_error(say(error))
