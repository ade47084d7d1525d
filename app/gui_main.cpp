// crossbarlab: the live lab GUI.
#include "ui/shell/application.hpp"

int main(int argc, char** argv) {
    return cbl::ui::run_application(argc, argv);
}
