/* A base for the ELF differential test: a library linked with -z nodlopen (DF_1_NOOPEN). */
int nodlopen_value(void) { return 42; }
