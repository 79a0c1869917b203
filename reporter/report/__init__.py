"""Everything that decides the email body, and nothing else.

`inputs` reads the week's notes, snapshots and events; `compose` turns them into
the view model (`view`), numbering references with `refs` and wording patch
entries (`patch_entries`, their State line in `patch_states`), findings
(`findings`) and calendar lines (`calendar`); `jira_comment` words the same
bullets for Jira's cards (`jira.post_comments`);
`layout` wraps and truncates text; `render` lays the view out with the templates;
`body` is the one entry point: the configuration and the week in, the body out.
"""
