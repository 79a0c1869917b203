"""Getting the email out: the message, the transports, and the sent ledger, which it owns.

`message` builds the EmailMessage, `smtp` and `sendmail` hand it over (`transport`
is what both return), `ledger` records each week's state under data/sent/ and is
the only code that reads or writes it, `lock` serialises runs, and `send` is the
exactly-once send. Plain arguments in, results out: the commands print.
"""
