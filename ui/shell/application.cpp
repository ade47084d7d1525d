#include "ui/shell/application.hpp"

#include "core/experiment/config.hpp"
#include "core/experiment/lesson.hpp"
#include "ui/shell/engine_bridge.hpp"
#include "ui/shell/main_window.hpp"
#include "ui/shell/session_controller.hpp"
#include "ui/views/accelerator_view.hpp"
#include "ui/views/device_explorer.hpp"
#include "ui/views/drift_view.hpp"
#include "ui/views/sweep_view.hpp"
#include "ui/widgets/chart_view.hpp"
#include "ui/widgets/heatmap_view.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QImage>
#include <QScreen>
#include <QTimer>

#include <QHash>

#include <algorithm>
#include <climits>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace cbl::ui {

const char* default_preset() {
    const auto names = preset_names();
    return std::find(names.begin(), names.end(), "mca-pcm") != names.end() ? "mca-pcm" : "fp32";
}

namespace {

/// Saves `w` as a PNG at 1x (what a viewer of the window sees) with a 256-colour palette: the
/// colours used most (backgrounds, text, the heatmap's 256-entry LUT), every other pixel mapped
/// to its nearest palette colour. A full-colour window with a noisy 785x250 heatmap is ~600 KB;
/// this keeps README screenshots near a third of that at no visible cost.
bool save_grab(QWidget* w, const QString& file) {
    const QImage rgb = w->grab().toImage().convertToFormat(QImage::Format_RGB32);
    QHash<QRgb, qsizetype> uses;
    for (int y = 0; y < rgb.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x)
            ++uses[line[x]];
    }
    QList<std::pair<qsizetype, QRgb>> ranked;
    ranked.reserve(uses.size());
    for (auto it = uses.cbegin(); it != uses.cend(); ++it)
        ranked.append({it.value(), it.key()});
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second; // deterministic
    });
    // 160 colours by use, then 96 picked farthest from everything chosen so far, so rare but
    // distinct colours (the top of a colour bar, a thin line) keep their own entry.
    QList<QRgb> palette;
    for (qsizetype i = 0; i < ranked.size() && i < 160; ++i)
        palette.append(ranked[i].second);
    auto dist = [](QRgb a, QRgb b) {
        const int r = qRed(a) - qRed(b), g = qGreen(a) - qGreen(b), bl = qBlue(a) - qBlue(b);
        return r * r + g * g + bl * bl;
    };
    std::vector<int> nearest(ranked.size(), INT_MAX);
    for (qsizetype i = 0; i < ranked.size(); ++i)
        for (QRgb p : palette)
            nearest[i] = std::min(nearest[i], dist(ranked[i].second, p));
    while (palette.size() < 256 && palette.size() < ranked.size()) {
        const auto far = std::max_element(nearest.begin(), nearest.end()) - nearest.begin();
        if (nearest[far] == 0) break;
        const QRgb pick = ranked[far].second;
        palette.append(pick);
        for (qsizetype i = 0; i < ranked.size(); ++i)
            nearest[i] = std::min(nearest[i], dist(ranked[i].second, pick));
    }
    const QImage indexed = rgb.convertToFormat(QImage::Format_Indexed8, palette,
                                               Qt::ThresholdDither | Qt::AvoidDither);
    // Quality 0 = zlib level 9.
    return indexed.save(file, "PNG", 0);
}

/// --size: screenshots are this size unless it names another, within what a screen can show.
constexpr QSize default_shot_size(1600, 1000), min_shot_size(640, 480), max_shot_size(7680, 4320);

QString size_text(QSize s) {
    return QString("%1x%2").arg(s.width()).arg(s.height());
}

/// The WxH of --size; nullopt when it is not two whole numbers within the allowed range.
std::optional<QSize> parse_size(const QString& text) {
    const QStringList parts = text.split('x');
    if (parts.size() != 2) return std::nullopt;
    bool okW = false, okH = false;
    const QSize s(parts[0].toInt(&okW), parts[1].toInt(&okH));
    if (!okW || !okH || s.width() < min_shot_size.width() || s.height() < min_shot_size.height() ||
        s.width() > max_shot_size.width() || s.height() > max_shot_size.height())
        return std::nullopt;
    return s;
}

/// Every chart text and heatmap title drawn shortened ("…") in the visible views under `root`.
QStringList shortened_texts(QWidget* root) {
    QStringList out;
    for (const ChartView* c : root->findChildren<ChartView*>())
        if (c->isVisible() && !c->viewport()->visibleRegion().isEmpty()) out += c->truncatedTexts();
    for (const HeatmapView* h : root->findChildren<HeatmapView*>())
        if (h->isVisible() && !h->visibleRegion().isEmpty()) out += h->elidedTexts();
    return out;
}

/// Messages on stderr stay on one line.
std::string one_line(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s;
}

/// Saves `target` (inside `window`, which must have come out at `size`) to `file`; warns on
/// stderr about text drawn shortened. The exit code of the run.
int save_screenshot(QWidget* window, QWidget* target, QSize size, const QString& file) {
    // A window whose panels need more room than --size gives would be a screenshot of another
    // size: refuse it.
    if (window->size() != size) {
        std::cerr << "crossbarlab: --size " << size_text(size).toStdString()
                  << " is below what this window needs, "
                  << size_text(window->minimumSizeHint()).toStdString() << "\n";
        return 2;
    }
    const bool saved = save_grab(target, file);
    // Text drawn shortened for lack of room is a warning: the picture is less readable.
    const QStringList shortened = shortened_texts(target);
    if (!shortened.isEmpty())
        std::cerr << "crossbarlab: shortened for lack of room: \""
                  << shortened.join("\", \"").toStdString() << "\"\n";
    if (!saved) std::cerr << "crossbarlab: cannot write " << file.toStdString() << "\n";
    return saved ? 0 : 1;
}

} // namespace

int run_application(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("CrossbarLab");
    QApplication::setOrganizationName("CrossbarLab");
    QApplication::setApplicationVersion(CROSSBARLAB_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("Train neural networks on simulated memristive crossbars.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("session", "A session file (.h5) to open.", "[SESSION.h5]");
    QCommandLineOption preset(
        "preset", QString("Experiment preset to open (default: %1).").arg(default_preset()),
        "NAME");
    QCommandLineOption lesson("lesson",
                              "Guided experiment to open: a file name of resources/lessons "
                              "without .json (Help → Try this… lists them); excludes --preset.",
                              "NAME");
    QCommandLineOption screenshot("screenshot", "Train --steps images, save the window, exit.",
                                  "FILE.png");
    QCommandLineOption steps("steps", "Training images before the screenshot (default: 0).", "N",
                             "0");
    QCommandLineOption view("view",
                            "With --screenshot: render only this view (" +
                                MainWindow::viewNames().join(", ") + ", presentation).",
                            "NAME");
    QCommandLineOption threads("threads",
                               "Training threads (default: one per core but one, which stays "
                               "with the window). Results do not depend on it.",
                               "N", "0");
    QCommandLineOption size(
        "size",
        QString("With --screenshot: the window size in pixels, %1 .. %2 and at least "
                "what the panels need (default: %3).")
            .arg(size_text(min_shot_size), size_text(max_shot_size), size_text(default_shot_size)),
        "WxH", size_text(default_shot_size));
    QCommandLineOption sweep("sweep",
                             "A sweep file (crossbarlab-cli sweep) to show in the sweep window; "
                             "given twice, the second is compared with the first (same grid). "
                             "With --screenshot, that window alone is saved.",
                             "FILE.h5");
    parser.addOptions({preset, lesson, screenshot, steps, view, threads, size, sweep});
    parser.process(app);

    const bool shooting = parser.isSet(screenshot);
    const QString viewName = parser.value(view);
    if (!viewName.isEmpty() && viewName != "presentation" &&
        !MainWindow::viewNames().contains(viewName)) {
        std::cerr << "crossbarlab: --view " << viewName.toStdString()
                  << " is unknown; allowed: " << MainWindow::viewNames().join(", ").toStdString()
                  << ", presentation\n";
        return 2;
    }
    int n = 0;
    if (shooting) {
        bool ok = false;
        n = parser.value(steps).toInt(&ok);
        if (!ok || n < 0) {
            std::cerr << "crossbarlab: --steps " << parser.value(steps).toStdString()
                      << " must be a whole number >= 0\n";
            return 2;
        }
    }

    const std::optional<QSize> shotSize = parse_size(parser.value(size));
    if (!shotSize) {
        std::cerr << "crossbarlab: --size " << parser.value(size).toStdString()
                  << " must be WIDTHxHEIGHT from " << size_text(min_shot_size).toStdString()
                  << " to " << size_text(max_shot_size).toStdString() << "\n";
        return 2;
    }

    bool threadsOk = false;
    const int threadCount = parser.value(threads).toInt(&threadsOk);
    if (!threadsOk || threadCount < 0 || threadCount > 256) {
        std::cerr << "crossbarlab: --threads " << parser.value(threads).toStdString()
                  << " must be a whole number from 1 to 256\n";
        return 2;
    }

    if (shooting && parser.isSet(sweep)) {
        // The sweep window alone: no experiment is built or trained.
        SweepView view;
        const QStringList files = parser.values(sweep);
        QString error = view.open(files.front());
        if (error.isEmpty() && files.size() > 1) error = view.compare(files.back());
        if (!error.isEmpty()) {
            std::cerr << "crossbarlab: " << one_line(error.toStdString()) << "\n";
            return 2;
        }
        view.resize(*shotSize);
        view.show();
        const QString file = parser.value(screenshot);
        QTimer::singleShot(400, &app,
                           [&] { app.exit(save_screenshot(&view, &view, *shotSize, file)); });
        return app.exec();
    }

    const QStringList sessions = parser.positionalArguments();
    const QString presetName = parser.isSet(preset) ? parser.value(preset) : default_preset();
    const QString lessonName = parser.value(lesson);
    if (parser.isSet(preset) && parser.isSet(lesson)) {
        std::cerr << "crossbarlab: --preset and --lesson exclude each other; give one\n";
        return 2;
    }
    if (shooting && sessions.isEmpty()) {
        // Scripted runs never wait for a person: a bad preset or lesson is a line on stderr, no
        // dialog.
        try {
            if (lessonName.isEmpty())
                (void)load_preset(presetName.toStdString());
            else
                (void)load_lesson(lessonName.toStdString());
        } catch (const std::exception& e) {
            std::cerr << "crossbarlab: " << one_line(e.what()) << "\n";
            return 2;
        }
    }

    // Screenshots are reproducible: they ignore the user's saved layout.
    MainWindow window(nullptr, !shooting, threadCount);
    if (shooting)
        // A session that cannot be opened ends the run with one line (the window's dialog is
        // for people).
        QObject::connect(window.session(), &SessionController::openFailed, &app,
                         [&app](const QString& path, const QString& error) {
                             std::string line = one_line(error.toStdString());
                             if (!error.startsWith(path)) line = path.toStdString() + ": " + line;
                             std::cerr << "crossbarlab: " << line << "\n";
                             app.exit(2);
                         });
    if (!sessions.isEmpty())
        window.session()->openFile(sessions.first());
    else if (!lessonName.isEmpty()) {
        if (!window.startLesson(lessonName) && shooting) return 2;
    } else if (!window.loadPreset(presetName) && shooting)
        return 2;
    // On a screen smaller than the first window's 1600 x 1000 (a laptop, a projector) the window
    // fills the screen rather than hanging off its edges.
    const QScreen* screen = window.screen();
    if (!shooting && screen &&
        (screen->availableGeometry().width() < 1600 || screen->availableGeometry().height() < 1040))
        window.showMaximized();
    else
        window.show();
    if (!shooting) {
        if (parser.isSet(sweep)) {
            const QStringList files = parser.values(sweep);
            window.openSweep(files.front(), files.size() > 1 ? files.back() : QString());
        }
        const bool recovered = window.session()->offerRecovery();
        // A start that names nothing to open (no session, preset, lesson or sweep) and recovers
        // nothing goes on with the last session (a setting; the default experiment stays if it
        // cannot be opened), or, the first time, offers the guided experiments.
        if (sessions.isEmpty() && !parser.isSet(preset) && lessonName.isEmpty() &&
            !parser.isSet(sweep) && !recovered) {
            const QString last = SessionController::lastSession();
            if (SessionController::reopenLastAtStart() && !last.isEmpty())
                window.session()->openFile(last);
            else
                QTimer::singleShot(0, &window, [&window] { window.offerLessonsOnce(); });
        }
        return app.exec();
    }

    const QString file = parser.value(screenshot);
    // The docks' preferred widths can push the first layout past the requested size: screenshots
    // are --size whatever the docks asked for.
    window.resize(*shotSize);
    // The default arrangement for that size (a laptop's layout at 1366x768).
    window.arrangeDocks(*shotSize);
    // Presentation at the window size: the offscreen platform's "full screen" is 800x800.
    if (viewName == "presentation")
        window.setPresentationMode(true, false);
    else if (!viewName.isEmpty())
        window.focusView(viewName, *shotSize);
    // A run that cannot finish (bad data, hang) still ends with a message.
    QTimer::singleShot(30 * 60 * 1000, &app, [&] {
        std::cerr << "crossbarlab: screenshot timed out\n";
        app.exit(3);
    });
    auto shoot = [&, file] {
        QTimer::singleShot(400, &app, [&, file] {
            QWidget* target = &window;
            if (!viewName.isEmpty() && viewName != "presentation" && viewName != "heatmaps")
                target = window.viewWidget(viewName);
            app.exit(save_screenshot(&window, target, *shotSize, file));
        });
    };
    bool started = false, trained = false, driftAsked = false, acceleratorAsked = false,
         done = false;
    const bool debug = qEnvironmentVariableIsSet("CROSSBARLAB_DEBUG_SCREENSHOT");
    auto check = [&](const SnapshotPtr& s) {
        if (debug)
            std::cerr << "snapshot v" << s->version << " step " << s->step << " running "
                      << s->running << " layers " << s->layers.size() << " error '" << s->error
                      << "'\n";
        if (done) return;
        if (!started) {
            // Train once the experiment (from the preset or the session) is in place.
            if (s->layers.empty() && s->error.empty()) return;
            started = true;
            if (n > 0 && s->error.empty()) {
                window.stepImages(n);
                return;
            }
        }
        if (!trained) {
            if (s->running || (s->step < std::uint64_t(n) && !s->finished && s->error.empty()))
                return;
            trained = true;
        }
        // The drift view shows an evaluation of the trained array: ask for one and wait.
        if (viewName == "drift" && s->error.empty() && s->drift.times_s.empty()) {
            if (!driftAsked) window.bridge().engine().evaluate_drift(DriftView::evaluation_times());
            driftAsked = true;
            return;
        }
        if (viewName == "device-explorer" && !window.deviceExplorer()->hasResult()) {
            QObject::connect(window.deviceExplorer(), &DeviceExplorer::resultShown, &app,
                             [&, shoot] {
                                 if (!done) done = true, shoot();
                             });
            return;
        }
        // The accelerator view shows its runs on the trained weights: the designs, then the
        // ADC sweep, each on the view's default test images.
        if (viewName == "accelerator") {
            if (!acceleratorAsked) {
                AcceleratorView* v = window.accelerator();
                // The designs' result (or error) starts the sweep; the sweep's ends it.
                QObject::connect(v, &AcceleratorView::resultShown, &app,
                                 [&, v, shoot, sweeping = false]() mutable {
                                     if (!sweeping && v->designsRun()) {
                                         sweeping = true;
                                         v->runAdcSweep();
                                     } else if (!done) {
                                         done = true, shoot();
                                     }
                                 });
                v->runDesigns();
            }
            acceleratorAsked = true;
            return;
        }
        done = true;
        shoot();
    };
    QObject::connect(&window, &MainWindow::snapshotShown, &app, check);
    return app.exec();
}

} // namespace cbl::ui
