"""Getting the email out: the message, the transports and the sent ledger."""
