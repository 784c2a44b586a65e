#include "mailrep/cli/cli.hpp"

int main(int argc, char** argv) { return mailrep::cli::run(argc, argv); }
