#include "ui/app/application.hpp"

#include "ui/app/engine_bridge.hpp"
#include "ui/app/main_window.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <iostream>

namespace cbl::ui {

int run_application(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("CrossbarLab");
    QApplication::setOrganizationName("CrossbarLab");
    QApplication::setApplicationVersion(CROSSBARLAB_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("Train neural networks on simulated memristive crossbars.");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption preset("preset", "Experiment preset to open.", "NAME", "fp32");
    QCommandLineOption screenshot("screenshot", "Train --steps images, save the window, exit.",
                                  "FILE.png");
    QCommandLineOption steps("steps", "Training images before the screenshot.", "N", "0");
    parser.addOptions({preset, screenshot, steps});
    parser.process(app);

    MainWindow window;
    window.loadPreset(parser.value(preset));
    window.show();

    if (parser.isSet(screenshot)) {
        bool ok = false;
        const int n = parser.value(steps).toInt(&ok);
        if (!ok || n < 0) {
            std::cerr << "crossbarlab: --steps " << parser.value(steps).toStdString()
                      << " must be a whole number >= 0\n";
            return 2;
        }
        const QString file = parser.value(screenshot);
        window.bridge().engine().step_images(n);
        // Save once the engine has trained the requested images and paused.
        QObject::connect(&window, &MainWindow::snapshotShown, &app, [&, file, n](SnapshotPtr s) {
            if (s->running || (s->step < std::uint64_t(n) && !s->finished && s->error.empty()))
                return;
            QTimer::singleShot(100, &app, [&, file] {
                const bool saved = window.grab().save(file);
                if (!saved) std::cerr << "crossbarlab: cannot write " << file.toStdString() << "\n";
                app.exit(saved ? 0 : 1);
            });
        });
    }
    return app.exec();
}

} // namespace cbl::ui
