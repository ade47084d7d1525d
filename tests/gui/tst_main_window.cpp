// Widget tests of the live lab (issue 6): play -> metrics arrive, pause stops them, a hot
// parameter change reaches the engine and appears as an event, clicking a heatmap cell pins the
// synapse, export writes valid files, sessions save and load, every view renders.
#include "core/session/session_file.hpp"
#include "gui_test_config.hpp"
#include "ui/shell/comparison_runs.hpp"
#include "ui/shell/engine_bridge.hpp"
#include "ui/shell/exporter.hpp"
#include "ui/shell/main_window.hpp"
#include "ui/shell/session_controller.hpp"
#include "ui/views/accuracy_chart.hpp"
#include "ui/views/experiment_panel.hpp"
#include "ui/views/heatmap_panel.hpp"
#include "ui/views/parameter_panel.hpp"
#include "ui/views/traces_chart.hpp"
#include "ui/widgets/chart_view.hpp"
#include "ui/widgets/heatmap_view.hpp"

#include "../common/input_error.hpp"

#include <QAbstractButton>
#include <QAction>
#include <QChart>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QSignalSpy>
#include <QStatusBar>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace cbl;
using namespace cbl::ui;

class TestMainWindow : public QObject {
    Q_OBJECT
  private:
    std::unique_ptr<MainWindow> w;

    SnapshotPtr last() const { return w->lastSnapshot(); }
    QAction* action(const QString& text) const {
        for (QAction* a : w->findChildren<QAction*>())
            if (a->text() == text) return a;
        return nullptr;
    }
    void loaded() {
        QTRY_VERIFY_WITH_TIMEOUT(last() && !last()->layers.empty() && last()->step == 0, 20000);
    }

  private Q_SLOTS:
    void initTestCase() { isolate_gui_test(); }

    void init() {
        w = std::make_unique<MainWindow>(nullptr, false);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        w->loadConfig(gui_test_config());
        loaded();
    }

    void cleanup() { w.reset(); }

    void playDeliversMetrics() {
        // Throttled so the small run streams over about a second: unthrottled it can end
        // between two frames, and the window then shows a single snapshot.
        w->bridge().engine().set_speed(2000);
        QSignalSpy spy(w.get(), &MainWindow::snapshotShown);
        action("Play")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(last()->step > 0, 10000);
        // The first epoch ends: per-epoch metrics reach the accuracy chart.
        QTRY_VERIFY_WITH_TIMEOUT(!last()->history.empty(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(w->accuracy()->testPoints() > 0, 5000);
        QVERIFY(spy.count() > 1);
        const EpochMetrics& m = last()->history.front();
        QVERIFY(m.test_accuracy > 0 && m.test_accuracy <= 1);
        QVERIFY(!m.device_updates.empty());
    }

    void pauseStopsMetrics() {
        // Throttled like a demo, so the small run cannot finish before the pause.
        w->bridge().engine().set_speed(300);
        action("Play")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(last()->running && last()->step > 0, 10000);
        QTRY_COMPARE(action("Pause") != nullptr, true);
        action("Pause")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!last()->running, 5000);
        const std::uint64_t step = w->bridge().snapshot()->step;
        QTest::qWait(400);
        QCOMPARE(w->bridge().snapshot()->step, step);
    }

    // Issue 18 F6e: Play on a finished run says that it finished and how to go on.
    void playOnAFinishedRunSaysSo() {
        w->loadConfig(gui_test_config(100, 1));
        loaded();
        w->stepImages(100);
        QTRY_VERIFY_WITH_TIMEOUT(last()->finished && !last()->running, 20000);
        w->statusBar()->clearMessage();
        action("Play")->trigger();
        const QString m = w->statusBar()->currentMessage();
        QVERIFY2(m.contains("finished its 1 epoch.") && m.contains("Reset"), qPrintable(m));
        QTest::qWait(200);
        QVERIFY(!w->bridge().snapshot()->running);
    }

    // Issue 18 F7b, X1: a comparison run trains on the main run's data for its epochs, and a
    // fifth (more than a session keeps) is refused with a message.
    void comparisonRunsFollowTheMainRun() {
        QVERIFY(w->addComparisonRun("fp32")); // the preset says 10 epochs of Fashion-MNIST
        QTRY_VERIFY_WITH_TIMEOUT(
            w->comparisons()->snapshot(0) && !w->comparisons()->snapshot(0)->layers.empty(), 20000);
        const ExperimentConfig& c = w->comparisons()->snapshot(0)->config;
        QCOMPARE(c.training.epochs, 3);
        QCOMPARE(c.dataset.source, std::string("synthetic"));
        QCOMPARE(c.dataset.train_limit, 600);
        for (int k = 1; k < 4; ++k)
            QVERIFY(w->addComparisonRun("fp32"));
        QCOMPARE(w->comparisons()->count(), 4);
        QVERIFY(!w->addComparisonRun("fp32"));
        QCOMPARE(w->comparisons()->count(), 4);
        QVERIFY2(w->statusBar()->currentMessage().contains("At most 4 comparison runs"),
                 qPrintable(w->statusBar()->currentMessage()));
        QMessageBox* box = w->findChild<QMessageBox*>();
        QVERIFY(box && box->isVisible() && box->text().contains("Remove comparison runs"));
        box->close();
        w->comparisons()->clear();
    }

    /// Answers the next "Restart the experiment?" question with `button`; its text lands in
    /// `text`.
    void answerRestart(const QString& button, QString* text) {
        answer_message_box(w.get(), "Restart the experiment?", button, text);
    }

    // Issue 18 F4c, 5b/5c: the restart dialog lists the live changes the new run keeps (or
    // Reset undoes), and "Save first" saves the session, then restarts.
    void restartDialogListsLiveEditsAndSavesFirst() {
        w->parameters()->applyValue("training.optimizer.learning_rate", 0.5);
        QTRY_VERIFY_WITH_TIMEOUT(!w->bridge().snapshot()->events.empty(), 5000);
        QTemporaryDir dir;
        const QString path = dir.filePath("before.h5");
        QSignalSpy saved(w->session(), &SessionController::saved);
        w->session()->saveTo(path);
        QVERIFY(saved.wait(20000));
        w->stepImages(80);
        QTRY_VERIFY_WITH_TIMEOUT(!last()->running && last()->step == 80, 10000);
        // A structural change applied: the new run starts from the running config.
        QString text;
        answerRestart("Save first", &text);
        w->parameters()->applyValue("device.nu_mean", 0.08);
        w->parameters()->controller()->applyPending();
        QTRY_VERIFY_WITH_TIMEOUT(!text.isEmpty(), 10000);
        QVERIFY2(text.contains("keeps the live changes") && text.contains("learning rate η = 0.5"),
                 qPrintable(text));
        QTRY_VERIFY_WITH_TIMEOUT(last()->step == 0 && last()->events.empty(), 20000);
        QCOMPARE(last()->config.training.optimizer.learning_rate, 0.5);
        QCOMPARE(load_session(path.toStdString()).step, std::uint64_t(80));
        // Reset rebuilds the config the run was loaded with: it names what it undoes.
        w->parameters()->applyValue("training.optimizer.learning_rate", 0.25);
        QTRY_VERIFY_WITH_TIMEOUT(!w->bridge().snapshot()->events.empty(), 5000);
        w->stepImages(10);
        QTRY_VERIFY_WITH_TIMEOUT(!last()->running && last()->step == 10, 10000);
        text.clear();
        answerRestart("Cancel", &text);
        action("Reset")->trigger();
        QVERIFY2(text.contains("undoing") && text.contains("learning rate η = 0.25"),
                 qPrintable(text));
        QCOMPARE(w->bridge().snapshot()->step, std::uint64_t(10));
    }

    void stepImagesStopsExactly() {
        w->stepImages(37); // not a multiple of the engine's chunk
        QTRY_VERIFY_WITH_TIMEOUT(last()->step >= 37, 10000);
        QTest::qWait(300);
        QCOMPARE(w->bridge().snapshot()->step, std::uint64_t(37));
        QVERIFY(!w->bridge().snapshot()->running);
    }

    void hotParameterBecomesEvent() {
        w->showView("parameters");
        QTRY_VERIFY(w->parameters()->paths().contains("scheme.eps"));
        w->parameters()->applyValue("scheme.eps", 0.05);
        QTRY_VERIFY_WITH_TIMEOUT(!w->bridge().snapshot()->events.empty(), 5000);
        const Event& e = w->bridge().snapshot()->events.back();
        QVERIFY2(QString::fromStdString(e.what).contains("scheme.eps"), e.what.c_str());
        QTRY_COMPARE(w->bridge().snapshot()->config.scheme.eps, 0.05);
        QVERIFY(w->parameters()->errorText("scheme.eps").isEmpty());
        // The event is a marker on the accuracy chart's time axis.
        w->showView("accuracy");
        QTRY_VERIFY(!w->accuracy()->accuracyView()->markers().isEmpty());
        // A value the core refuses shows its message next to the field.
        w->parameters()->applyValue("scheme.eps", -1.0);
        QTRY_VERIFY_WITH_TIMEOUT(!w->parameters()->errorText("scheme.eps").isEmpty(), 5000);
        // Structural edits wait for a reset instead of reaching the running engine.
        w->parameters()->applyValue("device.nu_mean", 0.08);
        QVERIFY(w->parameters()->hasPending());
        QVERIFY(w->parameters()->errorText("device.nu_mean").isEmpty());
    }

    void heatmapClickPinsSynapse() {
        HeatmapView* hm = w->heatmaps()->heatmap();
        QTRY_VERIFY(hm->rows() > 0);
        hm->zoomTo(0, 0, 40, 20); // cells of a whole 785-wide layer are below a pixel
        QTest::mouseClick(hm, Qt::LeftButton, {}, hm->cellCenter(5, 7));
        QTRY_VERIFY_WITH_TIMEOUT(!w->bridge().snapshot()->traces.empty(), 5000);
        const SynapseTrace& t = w->bridge().snapshot()->traces.front();
        QCOMPARE(t.layer, 0);
        QCOMPARE(t.row, 5);
        QCOMPARE(t.col, 7);
        w->stepImages(200);
        QTRY_VERIFY_WITH_TIMEOUT(!last()->running && last()->step >= 200, 10000);
        w->showView("traces");
        QTRY_COMPARE(w->traces()->seriesCount(), 2);
        QVERIFY(w->bridge().snapshot()->traces.front().t_s.size() > 1);
    }

    void exportWritesValidFiles() {
        w->stepImages(600);
        QTRY_VERIFY_WITH_TIMEOUT(!last()->running && !last()->history.empty(), 20000);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        for (const QString& name :
             {QString("accuracy"), QString("heatmaps"), QString("sparsity")}) {
            w->showView(name);
            const QString png = dir.filePath(name + ".png"), svg = dir.filePath(name + ".svg");
            QCOMPARE(w->exportView(name, png), QString());
            QCOMPARE(w->exportView(name, svg), QString());
            const QImage img(png);
            QVERIFY2(!img.isNull() && img.width() > 100, qPrintable(png));
            QSvgRenderer svgr(svg);
            QVERIFY2(svgr.isValid(), qPrintable(svg));
        }
        const QString csv = dir.filePath("metrics.csv");
        QCOMPARE(export_metrics_csv(*last(), csv), QString());
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), int(last()->history.size()) + 1);
        QVERIFY(lines[0].startsWith("epoch,images,train_accuracy [fraction],test_accuracy"));
        const int columns = int(lines[0].split(',').size());
        for (const QString& l : lines)
            QCOMPARE(int(l.split(',').size()), columns);
        QCOMPARE(w->exportAll(dir.filePath("all")), QString());
        QVERIFY(QFile::exists(dir.filePath("all/energy.svg")));
        QVERIFY(QFile::exists(dir.filePath("all/events.csv")));
    }

    void sessionSaveAndOpen() {
        w->stepImages(120);
        QTRY_VERIFY_WITH_TIMEOUT(!last()->running && last()->step >= 120, 10000);
        const std::uint64_t step = w->bridge().snapshot()->step;
        QVERIFY(w->session()->isDirty());
        QVERIFY(w->windowTitle().contains("*"));
        QTemporaryDir dir;
        const QString path = dir.filePath("run.h5");
        QSignalSpy saved(w->session(), &SessionController::saved);
        w->session()->saveTo(path);
        QVERIFY(saved.wait(20000));
        QVERIFY(QFile::exists(path));
        QTRY_VERIFY(!w->session()->isDirty());
        QTRY_VERIFY(w->windowTitle().startsWith("run.h5"));
        // Train on, then reopen: the saved step comes back.
        w->stepImages(50);
        QTRY_VERIFY_WITH_TIMEOUT(!last()->running && last()->step > step, 10000);
        QSignalSpy opened(w->session(), &SessionController::loaded);
        w->session()->openFile(path);
        QVERIFY(opened.wait(20000));
        QTRY_COMPARE_WITH_TIMEOUT(w->bridge().snapshot()->step, step, 10000);
        QTRY_VERIFY(!w->session()->isDirty());
    }

    // Issue 15 item 5: a character model's run shows bits per character (train, validation,
    // test), the characters it wrote at each epoch's end, and its gate matrices labelled; a
    // session keeps the validation loss and the samples. Issue 14 item 6: the Network field
    // shows the layer list and takes an edited one.
    void characterModelShowsBitsAndSamples() {
        QTemporaryDir dir;
        const QString corpus = dir.filePath("corpus.txt");
        {
            QFile f(corpus);
            QVERIFY(f.open(QIODevice::WriteOnly));
            for (int i = 0; i < 300; ++i)
                f.write("the cat sat on the mat. ");
        }
        ExperimentConfig c = load_preset("fp32-lstm");
        c.dataset.source = "text:" + corpus.toStdString();
        c.dataset.train_limit = 32;
        c.network.graph[0].units = c.network.graph[2].units = 8;
        c.training.epochs = 2;
        w->loadConfig(c);
        QTRY_VERIFY_WITH_TIMEOUT(last() && last()->config.name == "fp32-lstm" &&
                                     !last()->layers.empty() && last()->step == 0,
                                 20000);
        QCOMPARE(w->experiment()->networkField()->text(),
                 QString("lstm 8, dropout 0, lstm 8, dropout 0, dense 0"));
        QVERIFY(w->heatmaps()->layerPicker()->itemText(0).startsWith("1: LSTM gates"));
        w->heatmaps()->setLayer(1);
        QCOMPARE(w->heatmaps()->heatmap()->rowTickLabels().value(8 / 2), QString("i"));
        QCOMPARE(w->heatmaps()->heatmap()->rowTickLabels().value(3 * 8 + 8 / 2), QString("o"));
        w->stepImages(32);
        QTRY_VERIFY_WITH_TIMEOUT(!last()->running && last()->history.size() == 1, 20000);
        const EpochMetrics m = last()->history.front(); // a copy: later snapshots replace it
        QVERIFY(m.validation_loss > 0);
        QCOMPARE(m.sample_text.size(), std::size_t(200));
        AccuracyChart* a = w->accuracy();
        QCOMPARE(a->lossView()->chart()->title(), QString("Bits per character per epoch"));
        QTRY_VERIFY(a->sampleText().startsWith("Epoch 1 (validation "));
        QVERIFY(a->sampleText().contains(QString::fromStdString(m.sample_text).left(40)));
        QVERIFY2(a->headline().contains("bit/char after epoch 1 of 2"), qPrintable(a->headline()));
        // The session keeps them.
        const QString path = dir.filePath("lstm.h5");
        QSignalSpy saved(w->session(), &SessionController::saved);
        w->session()->saveTo(path);
        QVERIFY(saved.wait(20000));
        const ExperimentState back = load_session(path.toStdString());
        QCOMPARE(back.history.size(), std::size_t(1));
        QCOMPARE(back.history[0].validation_loss, m.validation_loss);
        QCOMPARE(back.history[0].sample_text, m.sample_text);
        // An edited layer list becomes the config's graph.
        w->experiment()->networkField()->setText(
            "lstm 6, dropout 0.1, lstm 6, dropout 0.1, dense 0");
        const ExperimentConfig edited = w->experiment()->editedConfig();
        QCOMPARE(edited.network.graph.size(), std::size_t(5));
        QCOMPARE(edited.network.graph[2].units, 6);
        QCOMPARE(edited.network.graph[3].rate, 0.1);
        w->experiment()->networkField()->setText("lstm 6, dense ten");
        QVERIFY(test::message_of([&] {
                    w->experiment()->editedConfig();
                }).startsWith("network entry 2, “dense ten”: write dense N"));
    }

    void everyViewRenders() {
        w->stepImages(650);
        QTRY_VERIFY_WITH_TIMEOUT(!last()->running && !last()->history.empty(), 20000);
        for (const QString& name : MainWindow::viewNames()) {
            w->showView(name);
            QWidget* v = w->viewWidget(name);
            QVERIFY2(v, qPrintable(name));
            QTest::qWait(20);
            const QImage img = v->grab().toImage();
            QVERIFY2(!img.isNull() && img.width() > 50, qPrintable(name));
        }
        w->setPresentationMode(true);
        QVERIFY(w->presentationMode());
        QTest::qWait(50);
        QVERIFY(!w->grab().isNull());
        // Two large panels by default (issue 18), side by side; the rest out of sight.
        for (const QString& name : {QString("heatmaps"), QString("accuracy")})
            QTRY_VERIFY2(!w->viewWidget(name)->visibleRegion().isEmpty(), qPrintable(name));
        for (const QString& name : {QString("sparsity"), QString("energy")})
            QVERIFY2(w->viewWidget(name)->visibleRegion().isEmpty(), qPrintable(name));
        w->setPresentationMode(false);
        QVERIFY(!w->presentationMode());
    }

    void screenshotCommandLine() {
        QTemporaryDir dir;
        for (const QString& view : {QString(), QString("heatmaps"), QString("energy")}) {
            const QString png = dir.filePath("shot" + view + ".png");
            QStringList args = {"--preset", "fp32", "--screenshot", png, "--steps", "40"};
            if (!view.isEmpty()) args << "--view" << view;
            QProcess p;
            p.start(CROSSBARLAB_GUI, args);
            QVERIFY(p.waitForFinished(120000));
            QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
            QVERIFY2(!QImage(png).isNull(), qPrintable(png));
        }
        QProcess bad;
        bad.start(CROSSBARLAB_GUI, {"--screenshot", dir.filePath("x.png"), "--view", "nope"});
        QVERIFY(bad.waitForFinished(60000));
        QVERIFY(bad.exitCode() != 0);
    }

    // CLI.md: --size WxH sets the window size for --screenshot; --help lists it.
    void screenshotSize() {
        QTemporaryDir dir;
        const QString png = dir.filePath("laptop.png");
        QProcess p;
        p.start(CROSSBARLAB_GUI,
                {"--preset", "fp32", "--screenshot", png, "--steps", "20", "--size", "1366x768"});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QCOMPARE(QImage(png).size(), QSize(1366, 768));
        // A single view comes out at --size too (issue 18 X3: it was 1400 x 900).
        for (const QString& view : {QString("energy"), QString("device-explorer")}) {
            const QString one = dir.filePath(view + ".png");
            QProcess v;
            v.start(CROSSBARLAB_GUI, {"--preset", "fp32", "--screenshot", one, "--steps", "20",
                                      "--size", "1024x700", "--view", view});
            QVERIFY(v.waitForFinished(120000));
            QVERIFY2(v.exitCode() == 0, v.readAllStandardError().constData());
            QCOMPARE(QImage(one).size(), QSize(1024, 700));
        }
        for (const QString& size : {QString("10x10"), QString("1366"), QString("axb")}) {
            QProcess bad;
            bad.start(CROSSBARLAB_GUI, {"--screenshot", dir.filePath("bad.png"), "--size", size});
            QVERIFY(bad.waitForFinished(60000));
            QVERIFY2(bad.exitStatus() == QProcess::NormalExit && bad.exitCode() != 0,
                     qPrintable(size));
            const QString err = QString::fromUtf8(bad.readAllStandardError());
            QVERIFY2(err.contains("--size " + size) && err.contains("640x480") &&
                         err.contains("7680x4320"),
                     qPrintable(err));
            QVERIFY(!QFile::exists(dir.filePath("bad.png")));
        }
        QProcess help;
        help.start(CROSSBARLAB_GUI, {"--help"});
        QVERIFY(help.waitForFinished(60000));
        QCOMPARE(help.exitCode(), 0);
        const QString text = QString::fromUtf8(help.readAllStandardOutput());
        for (const char* option :
             {"--preset", "--screenshot", "--steps", "--view", "--threads", "--size"})
            QVERIFY2(text.contains(option), qPrintable(text));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
