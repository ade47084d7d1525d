// Issue 6 performance bar for the live lab:
//  - training throughput with the GUI attached (main window in its default layout, drawing every
//    snapshot it is sent) is at least 0.9x the same engine running headless;
//  - the GUI event loop never stalls for more than 50 ms while training runs at full speed
//    (a 5 ms QTimer probe records the largest gap between its ticks);
//  - colouring and repainting the heatmap of a whole 785x250 layer takes at most 4 ms.
// Runs mca-pcm (seed 002's experiment) on Fashion-MNIST when the dataset is installed, else on
// synthetic data. The machine may be shared, so headless and attached runs alternate and each
// side keeps its best round (for the stall: the round with the smallest largest gap): a burst of
// foreign load then hurts both sides alike instead of whichever happened to be measuring, and a
// scheduler delay caused by someone else's compiler is not blamed on the GUI. Every round is
// printed, so a reader sees the spread.
#include "../gui/gui_test_config.hpp"
#include "core/dataset/dataset.hpp"
#include "core/experiment/config.hpp"
#include "core/experiment/engine.hpp"
#include "ui/shell/engine_bridge.hpp"
#include "ui/shell/main_window.hpp"
#include "ui/widgets/heatmap_view.hpp"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include <time.h>

using namespace cbl;
using namespace cbl::ui;

namespace {
constexpr std::uint64_t kWarmup = 1500; ///< images before the clock starts
constexpr double kMeasureSeconds = 6.0; ///< wall time of one measured round
constexpr int kRounds = 3;              ///< rounds per side, alternating

ExperimentConfig bench_config() {
    ExperimentConfig c = load_preset("mca-pcm");
    if (!QFileInfo::exists(QString(fashion_mnist_dir) + "/train-images-idx3-ubyte.gz"))
        c.dataset.source = "synthetic";
    c.training.epochs = 50; // never finishes inside the measurement
    return c;
}

/// Images per second over about kMeasureSeconds after kWarmup images. `step` reads the number of
/// images trained so far, `wait` lets time pass (and, for the GUI, runs its event loop).
template <typename Step, typename Wait>
double measure(Step step, Wait wait) {
    while (step() < kWarmup)
        wait();
    const std::uint64_t s0 = step();
    const auto t0 = std::chrono::steady_clock::now();
    double dt = 0;
    do {
        wait();
        dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (dt < kMeasureSeconds);
    return double(step() - s0) / dt;
}

double headless_round(const ExperimentConfig& c, std::shared_ptr<const DataSplit> data) {
    Engine e;
    e.load(c, data);
    e.play();
    const double rate = measure([&] { return e.snapshot()->step; },
                                [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); });
    e.pause();
    e.sync();
    return rate;
}

struct AttachedResult {
    double rate = 0;
    double max_gap_ms = 0;
    std::uint64_t snapshots = 0;
    double gui_cpu_ms = 0; ///< CPU time of the GUI thread while measuring
};

/// CPU time of the calling thread [ms].
double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

AttachedResult attached_round(const ExperimentConfig& c, std::shared_ptr<const DataSplit> data) {
    AttachedResult r;
    double cpu0 = 0;
    MainWindow w(nullptr, false);
    w.show();
    if (!QTest::qWaitForWindowExposed(&w)) return r;
    w.bridge().engine().load(c, data);
    // Probe: a 5 ms timer; the largest gap between its ticks is the worst stall of the GUI.
    QElapsedTimer clock;
    qint64 lastTick = -1;
    bool probing = false;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (probing && lastTick >= 0) {
            const double g = (now - lastTick) / 1e6;
            r.max_gap_ms = std::max(r.max_gap_ms, g);
        }
        lastTick = now;
    });
    QObject::connect(&w, &MainWindow::snapshotShown, [&] {
        if (probing) ++r.snapshots;
    });
    clock.start();
    probe.start();
    w.bridge().engine().play();
    // The step counter comes from the snapshots the window was sent: what the user sees.
    r.rate = measure([&] { return w.lastSnapshot() ? w.lastSnapshot()->step : 0; },
                     [&] {
                         const bool was = probing;
                         probing = w.lastSnapshot() && w.lastSnapshot()->step >= kWarmup;
                         if (probing && !was) cpu0 = thread_cpu_ms();
                         QTest::qWait(5);
                     });
    probing = false;
    r.gui_cpu_ms = thread_cpu_ms() - cpu0;
    w.bridge().engine().pause();
    w.bridge().engine().sync();
    return r;
}
} // namespace

class TestGuiThroughput : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("CrossbarLabTest");
        QCoreApplication::setApplicationName("crossbarlab-gui-bench");
    }

    /// Colour + synchronous repaint of a whole 785x250 layer, new data every frame.
    void heatmapRepaint() {
        HeatmapView h;
        h.resize(1000, 450);
        h.show();
        QVERIFY(QTest::qWaitForWindowExposed(&h));
        Eigen::MatrixXf m = random_layer_uS();
        h.setMatrix(m, 0, 10, Colormap::viridis, "conductance [µS]");
        h.repaint(); // first paint: fonts and backing store, not part of a frame's cost
        int frames = 0;
        QElapsedTimer t;
        t.start();
        QBENCHMARK {
            m(frames % 250, frames % 785) += 0.1f; // the layer changes, as during training
            h.setMatrix(m, 0, 10, Colormap::viridis, "conductance [µS]");
            h.repaint();
            ++frames;
        }
        // QBENCHMARK calls this function again with more iterations until the timing settles.
        const double ms = t.nsecsElapsed() / 1e6 / std::max(1, frames);
        if (frames >= 16) qInfo("785x250 heatmap: colour + repaint %.3f ms per frame", ms);
        if (frames >= 8) QVERIFY2(ms <= 4.0, qPrintable(QString("%1 ms per frame").arg(ms)));
    }

    void guiAttachedVsHeadless() {
        const ExperimentConfig c = bench_config();
        // Both sides train on the same data, loaded once.
        auto data = std::make_shared<const DataSplit>(load_dataset(c.dataset));
        double headless = 0;
        AttachedResult attached;
        double bestGap = 1e9, worstGap = 0;
        for (int round = 0; round < kRounds; ++round) {
            const double h = headless_round(c, data);
            const AttachedResult a = attached_round(c, data);
            QVERIFY2(a.rate > 0, "the GUI round did not train");
            qInfo("round %d: headless %.0f images/s, GUI attached %.0f images/s (%llu snapshots "
                  "drawn, GUI thread CPU %.1f ms per snapshot), largest event-loop gap %.1f ms",
                  round + 1, h, a.rate, static_cast<unsigned long long>(a.snapshots),
                  a.gui_cpu_ms / std::max<std::uint64_t>(1, a.snapshots), a.max_gap_ms);
            headless = std::max(headless, h);
            if (a.rate > attached.rate) attached = a;
            bestGap = std::min(bestGap, a.max_gap_ms);
            worstGap = std::max(worstGap, a.max_gap_ms);
        }
        const double ratio = attached.rate / headless;
        qInfo("%s on %s: best headless %.0f images/s, best GUI attached %.0f images/s, ratio "
              "%.3f; largest event-loop gap %.1f ms in the quietest round (%.1f ms in the worst)",
              c.name.c_str(), c.dataset.source.c_str(), headless, attached.rate, ratio, bestGap,
              worstGap);
        QVERIFY2(attached.snapshots > 10, "the window drew too few snapshots to judge");
        QVERIFY2(ratio >= 0.9, qPrintable(QString("throughput ratio %1 < 0.9").arg(ratio)));
        QVERIFY2(bestGap <= 50, qPrintable(QString("event-loop gap %1 ms > 50 ms").arg(bestGap)));
    }
};

QTEST_MAIN(TestGuiThroughput)
#include "tst_gui_throughput.moc"
