// Issue 18, small screens first: the window can be as small as 1024 x 640; at 1366x768 and
// 1280x720 (a student laptop, a projector) no chart shortens a tick label, axis title, chart
// title or legend entry to "...", in the default layout and in presentation mode, whose strip
// shows the big numbers; and a real window on a 1366x768 X screen fits it (Xvfb + xdotool).
#include "gui_test_config.hpp"
#include "ui/shell/engine_bridge.hpp"
#include "ui/shell/main_window.hpp"
#include "ui/views/accuracy_chart.hpp"
#include "ui/views/number_strip.hpp"

#include "ui/widgets/chart_view.hpp"
#include "ui/widgets/heatmap_view.hpp"
#include <QLabel>

#include <QChart>
#include <QFontMetricsF>
#include <QLineSeries>
#include <QLocale>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cbl;
using namespace cbl::ui;

namespace {

/// The charts and heatmaps a person sees: shown, not behind a tab, not scrolled away.
bool on_screen(const QWidget* w) {
    const auto* view = qobject_cast<const QAbstractScrollArea*>(w);
    const QWidget* painted = view ? view->viewport() : w;
    return w->isVisible() && !painted->visibleRegion().isEmpty();
}

/// Every readability fault of the views on screen: shortened text, and plots too small to read.
QStringList faults(QWidget* window) {
    QStringList out;
    int charts = 0;
    for (ChartView* c : window->findChildren<ChartView*>()) {
        if (!on_screen(c)) continue;
        ++charts;
        const QString title = c->chart()->title();
        for (const QString& t : c->truncatedTexts())
            out.append(QString("%1: \"%2\" shortened").arg(title, t));
        // Tick labels that fit are no use on a plot a few pixels high: at least four rows of
        // tick labels and room for a handful of x ticks.
        const QRectF plot = c->chart()->plotArea();
        const double line = QFontMetricsF(c->font()).height();
        if (plot.height() < 4 * line || plot.width() < 150)
            out.append(QString("%1: plot only %2 x %3 px")
                           .arg(title)
                           .arg(plot.width())
                           .arg(plot.height()));
    }
    if (charts == 0) out.append("no chart on screen");
    for (HeatmapView* h : window->findChildren<HeatmapView*>()) {
        if (!on_screen(h)) continue;
        for (const QString& t : h->elidedTexts())
            out.append(QString("heatmap: \"%1\" shortened").arg(t));
    }
    return out;
}

} // namespace

class TestSmallScreen : public QObject {
    Q_OBJECT
  private:
    std::unique_ptr<MainWindow> w;

    SnapshotPtr last() const { return w->lastSnapshot(); }

    /// A window of `size` in the default layout for that size, one epoch and a half trained so
    /// every chart has points and the epoch in progress.
    void trained(QSize size) {
        w = std::make_unique<MainWindow>(nullptr, false);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        w->resize(size);
        w->arrangeDocks(size);
        w->loadConfig(gui_test_config(600, 20));
        QTRY_VERIFY_WITH_TIMEOUT(last() && !last()->layers.empty() && last()->step == 0, 20000);
        w->stepImages(900);
        QTRY_VERIFY_WITH_TIMEOUT(!last()->running && last()->step == 900, 30000);
        QTest::qWait(300); // the charts' throttled redraw and the layout settle
    }

  private Q_SLOTS:
    void initTestCase() { isolate_gui_test(); }
    void cleanup() { w.reset(); }

    void minimumSizeFitsSmallScreens() {
        MainWindow m(nullptr, false);
        m.show();
        QVERIFY(QTest::qWaitForWindowExposed(&m));
        const QSize min = m.minimumSizeHint();
        QVERIFY2(min.width() <= 1024 && min.height() <= 640,
                 qPrintable(QString("minimum %1 x %2").arg(min.width()).arg(min.height())));
        m.resize(1024, 640);
        m.arrangeDocks(QSize(1024, 640));
        QTRY_COMPARE(m.size(), QSize(1024, 640));
        // Presentation mode's large fonts fit a 1280 x 720 projector.
        m.resize(1280, 720);
        m.setPresentationMode(true, false);
        const QSize pmin = m.minimumSizeHint();
        QVERIFY2(pmin.width() <= 1280 && pmin.height() <= 720,
                 qPrintable(
                     QString("presentation minimum %1 x %2").arg(pmin.width()).arg(pmin.height())));
    }

    void nothingElided_data() {
        QTest::addColumn<QSize>("size");
        QTest::addColumn<bool>("presentation");
        QTest::newRow("laptop 1366x768") << QSize(1366, 768) << false;
        QTest::newRow("projector 1280x720") << QSize(1280, 720) << false;
        QTest::newRow("presentation 1366x768") << QSize(1366, 768) << true;
        QTest::newRow("presentation 1280x720") << QSize(1280, 720) << true;
    }

    void nothingElided() {
        QFETCH(QSize, size);
        QFETCH(bool, presentation);
        trained(size);
        if (presentation) w->setPresentationMode(true, false);
        QTest::qWait(300);
        QCOMPARE(w->size(), size);
        const QStringList found = faults(w.get());
        QVERIFY2(found.isEmpty(), qPrintable(found.join("; ")));
        if (presentation) {
            // The strip of big numbers is up, with the numbers of the run.
            NumberStrip* n = w->numbers();
            QVERIFY(on_screen(n));
            QVERIFY2(n->value("accuracy").endsWith(" %"), qPrintable(n->value("accuracy")));
            QCOMPARE(n->value("epoch"), QString("2 / 20"));
            QVERIFY2(n->detail("updates").contains("× fewer"), qPrintable(n->detail("updates")));
            QVERIFY(n->value("energy") != "—");
            w->setPresentationMode(false);
            QVERIFY(!on_screen(n));
        }
    }

    // Issue 18 item 6: the test accuracy as a big number in the normal view, and the value of a
    // chart's point on hover.
    void bigNumberAndHover() {
        trained(QSize(1366, 768));
        const QString headline = w->accuracy()->headline();
        QVERIFY2(headline.contains(" %") && headline.contains("after epoch 1"),
                 qPrintable(headline));
        QVERIFY(on_screen(w->accuracy()->headlineLabel()));

        // Hover the test-accuracy point of epoch 1.
        ChartView* v = w->accuracy()->accuracyView();
        QLineSeries* test = nullptr;
        for (QAbstractSeries* s : v->chart()->series())
            if (s->name() == "test") test = qobject_cast<QLineSeries*>(s);
        QVERIFY(test && test->count() == 1);
        const QPointF at =
            v->mapFromScene(v->chart()->mapToScene(v->chart()->mapToPosition(test->at(0), test)));
        QTest::mouseMove(v->viewport(), at.toPoint());
        QTRY_VERIFY2(v->hoverText().startsWith("test · epoch 1 · accuracy [%] "),
                     qPrintable(v->hoverText()));
        // CROSSBARLAB_GUI_SHOTS=DIR keeps a picture of the read-out, to look at.
        if (const QString dir = qEnvironmentVariable("CROSSBARLAB_GUI_SHOTS"); !dir.isEmpty())
            w->grab().save(dir + "/hover.png");
        const double shown = QLocale().toDouble(v->hoverText().section(' ', -1));
        QVERIFY2(std::abs(shown - 100 * last()->history.front().test_accuracy) < 0.01,
                 qPrintable(v->hoverText()));
        // Far from every point: no read-out.
        QCOMPARE(v->hoverAt(QPointF(2, 2)), QString());
    }

    // A real X window on a 1366x768 screen (with a window manager when there is one) fits it.
    void realWindowFitsScreen() {
        for (const char* program : {"Xvfb", "xdotool", "xwininfo", "xprop"})
            if (QStandardPaths::findExecutable(program).isEmpty())
                QSKIP(qPrintable(QString("%1 is not installed (scripts/setup.sh)").arg(program)));
        QTemporaryDir home;
        const QString display = QString(":%1").arg(300 + QCoreApplication::applicationPid() % 300);
        QProcess xvfb;
        xvfb.start("Xvfb", {display, "-screen", "0", "1366x768x24", "-nolisten", "tcp"});
        QVERIFY(xvfb.waitForStarted());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("DISPLAY", display);
        env.insert("QT_QPA_PLATFORM", "xcb");
        // A fresh user: no saved layout, no session to recover.
        env.insert("HOME", home.path());
        env.insert("XDG_CONFIG_HOME", home.filePath("config"));
        env.insert("XDG_DATA_HOME", home.filePath("data"));
        env.insert("XDG_CACHE_HOME", home.filePath("cache"));
        env.insert("XDG_RUNTIME_DIR", home.path());
        auto run = [&](const QStringList& args, int ms = 10000) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start("xdotool", args);
            p.waitForFinished(ms);
            return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
        };
        QTest::qWait(1000);
        QProcess wm;
        if (!QStandardPaths::findExecutable("openbox").isEmpty()) {
            wm.setProcessEnvironment(env);
            wm.start("openbox", {});
            QTest::qWait(1000);
        }
        QProcess app;
        app.setProcessEnvironment(env);
        app.start(CROSSBARLAB_GUI, {"--preset", "fp32"});
        QVERIFY(app.waitForStarted());
        QString win;
        for (int i = 0; i < 60 && win.isEmpty(); ++i) {
            QTest::qWait(500);
            win = run({"search", "--onlyvisible", "--pid", QString::number(app.processId())})
                      .section('\n', -1);
        }
        QTest::qWait(2000); // maximising and the first layout
        // xdotool's window position counts the frame twice under a reparenting window manager:
        // the absolute client geometry from xwininfo, the frame from _NET_FRAME_EXTENTS.
        auto tool = [&](const QString& program, const QStringList& args) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(program, args);
            p.waitForFinished(10000);
            return QString::fromUtf8(p.readAllStandardOutput());
        };
        const QString info = tool("xwininfo", {"-id", win});
        const QString extents = tool("xprop", {"-id", win, "_NET_FRAME_EXTENTS"});
        app.kill();
        app.waitForFinished();
        if (wm.state() != QProcess::NotRunning) wm.kill(), wm.waitForFinished();
        xvfb.kill();
        xvfb.waitForFinished();
        QVERIFY2(!win.isEmpty(), "no window appeared");
        auto field = [&](const QString& name) {
            for (const QString& line : info.split('\n'))
                if (line.trimmed().startsWith(name)) return line.section(':', 1).trimmed().toInt();
            return -1;
        };
        const int x = field("Absolute upper-left X"), y = field("Absolute upper-left Y");
        const int width = field("Width"), height = field("Height");
        QVERIFY2(width > 0 && height > 0, qPrintable(info));
        // "_NET_FRAME_EXTENTS(CARDINAL) = left, right, top, bottom" (absent without a manager).
        int left = 0, right = 0, top = 0, bottom = 0;
        const QStringList e = extents.section('=', 1).split(',');
        if (e.size() == 4)
            left = e[0].trimmed().toInt(), right = e[1].trimmed().toInt(),
            top = e[2].trimmed().toInt(), bottom = e[3].trimmed().toInt();
        const QString where = QString("window %1 x %2 at (%3, %4), frame %5 %6 %7 %8")
                                  .arg(width)
                                  .arg(height)
                                  .arg(x)
                                  .arg(y)
                                  .arg(left)
                                  .arg(right)
                                  .arg(top)
                                  .arg(bottom);
        QVERIFY2(x - left >= 0 && y - top >= 0 && x + width + right <= 1366 &&
                     y + height + bottom <= 768,
                 qPrintable(where));
        // Most of the screen is used: a window that fits by being tiny is no fit.
        QVERIFY2(width >= 1200 && height >= 650, qPrintable(where));
    }
};

QTEST_MAIN(TestSmallScreen)
#include "tst_small_screen.moc"
