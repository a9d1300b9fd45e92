"""``python -m desktop``: the same as the ``backoffice`` command.

The Windows shortcuts run ``pythonw.exe -m desktop``: no console, ``sys.stderr`` is
None. There the log file is set up first and an error that stops the start-up
(even a failed import) is logged and shown in a dialog instead of being lost.
"""

import sys


def _windowed_main() -> int:
    import logging

    log_path = None
    try:
        from desktop.logs import setup_logging

        log_path = setup_logging()
        import faulthandler

        # A native crash (inside Qt…) leaves the Python stacks next to the log.
        faulthandler.enable(open(log_path.with_name("crash.log"), "a", encoding="utf-8"))
        from desktop.cli import main

        return main()
    except Exception as exc:
        logging.getLogger("desktop").critical("Start-up failed", exc_info=True)
        detail = f"\n\nLe détail est dans le journal : {log_path}" if log_path else ""
        _show_error(f"L'application n'a pas pu démarrer : {exc}{detail}")
        return 1


def _show_error(message: str) -> None:
    title = "Back-Office Messagerie"
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        _app = QApplication.instance() or QApplication([sys.argv[0]])
        QMessageBox.critical(None, title, message)
    except Exception:
        if sys.platform == "win32":
            import ctypes

            ctypes.windll.user32.MessageBoxW(None, message, title, 0x10)


if sys.stderr is None:
    sys.exit(_windowed_main())

from desktop.cli import main  # noqa: E402

sys.exit(main())
