"""The tracker: carrying a week forward, a card's history and its weeks without progress.

`carry` decides the next week's cards, `drafttext` writes them as a notes file,
`draft` joins the two with what is stored, `history` is a card week by week and
`progress` counts the weeks without a note. Pure, except `draft`, which reads the
store.
"""
