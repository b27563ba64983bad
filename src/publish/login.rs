//! `docker login` with the password on standard input only.
