#include "cli/app.hpp"

int main(int argc, char** argv) {
    return supportdrop::cli::run_app(argc, argv);
}
