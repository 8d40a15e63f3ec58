"""One module per `newswatch` command, each with `run(settings, args) -> exit code`.

`cli.py` parses the command line and imports only the chosen command's module, so a
command pays only for what it uses (`newswatch tag` never imports Faust).
"""
