"""The `grace` command line: one module per command group, the local process supervisor in
`stack/`. It sits above every other package; nothing imports it."""
