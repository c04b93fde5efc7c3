"""The runtime: values, pseudo-variables, transformations and the bytecode interpreter."""
