// The sweep view (issue 19): a sweep file opened from the main window maps a metric over two
// swept parameters as the mean over seeds, the spread on hover, unrun points as empty cells; one
// parameter gives a line plot; the map and the table export; files that are no sweep are refused
// with a dialog naming them, and a scripted screenshot of a bad file ends with one line.
#include "core/experiment/config.hpp"
#include "core/sweep/sweep_table.hpp"
#include "gui_test_config.hpp"
#include "ui/shell/main_window.hpp"
#include "ui/views/sweep_view.hpp"
#include "ui/widgets/chart_view.hpp"
#include "ui/widgets/heatmap_view.hpp"

#include <QFile>
#include <QImage>
#include <QLineSeries>
#include <QMessageBox>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cbl;
using namespace cbl::ui;

namespace {

const std::vector<std::string> thresholds = {"4", "8"};
const std::vector<std::string> eps = {"0.05", "0.1", "0.2"};

/// The best test accuracy [%] of a point: depends on the cell and the seed.
double accuracy(std::size_t t, std::size_t e, std::uint64_t seed) {
    return 70.0 + 5.0 * double(t) + 2.0 * double(e) + (seed == 1 ? -1.5 : 1.5);
}

} // namespace

class TestSweepView : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir dir_;
    QString path(const QString& name) const { return dir_.filePath(name); }

  private Q_SLOTS:
    void initTestCase() {
        isolate_gui_test();
        QVERIFY(dir_.isValid());
        // threshold (2) x eps (3) x seeds 1-2, synthetic summaries: (8 uS, 0.2) not run yet,
        // (8 uS, 0.1) only seed 1.
        auto points = expand_grid(
            load_preset("mca-pcm"),
            {GridAxis{"tile.refresh_threshold_uS", thresholds}, GridAxis{"scheme.eps", eps}},
            {1, 2});
        for (std::size_t i = 0; i < points.size(); ++i) {
            const std::size_t t = i / 6, e = i / 2 % 3;
            const std::uint64_t seed = i % 2 + 1;
            if (t == 1 && (e == 2 || (e == 1 && seed == 2))) continue;
            points[i].summary = {{"test_accuracy", {0.5, accuracy(t, e, seed) / 100}},
                                 {"device_updates", {{1000 * (i + 1)}}}};
        }
        save_sweep(path("sweep.h5").toStdString(), points);
        // The same grid on another preset, every point 10 points lower; and a grid of one axis.
        for (SweepPoint& p : points) {
            p.config["name"] = "direct-pcm";
            if (!p.summary.is_null())
                p.summary["test_accuracy"][1] = p.summary["test_accuracy"][1].get<double>() - 0.1;
        }
        save_sweep(path("other.h5").toStdString(), points);
        save_sweep(path("one-axis.h5").toStdString(),
                   expand_grid(load_preset("mca-pcm"), {GridAxis{"scheme.eps", eps}}, {1}));
        QFile good(path("sweep.h5"));
        QVERIFY(good.open(QIODevice::ReadOnly));
        QFile truncated(path("truncated.h5"));
        QVERIFY(truncated.open(QIODevice::WriteOnly));
        truncated.write(good.readAll().left(int(good.size() / 2)));
        truncated.close();
        QFile junk(path("junk.h5"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a sweep");
        junk.close();
    }

    void mapIsTheMeanOverSeeds() {
        MainWindow window(nullptr, false);
        QVERIFY(window.openSweep(path("sweep.h5")));
        SweepView* view = window.sweepView();
        QVERIFY(view && view->isVisible());
        QVERIFY(QTest::qWaitForWindowExposed(view));
        QCOMPARE(view->metrics().front().label, std::string("best test accuracy"));
        HeatmapView* map = view->heatmap();
        QVERIFY(!view->showsLinePlot());
        // eps across, the threshold up (4 uS at the bottom).
        QCOMPARE(map->cols(), 3);
        QCOMPARE(map->rows(), 2);
        for (std::size_t t = 0; t < 2; ++t)
            for (std::size_t e = 0; e < 3; ++e) {
                const float v = map->value(1 - int(t), int(e));
                if (t == 1 && e == 2) {
                    QVERIFY(std::isnan(v)); // not run yet: an empty cell
                    continue;
                }
                const double mean = t == 1 && e == 1 ? accuracy(t, e, 1)
                                                     : (accuracy(t, e, 1) + accuracy(t, e, 2)) / 2;
                QVERIFY2(std::abs(v - mean) < 1e-4, qPrintable(QString::number(v)));
            }
        // Hover: the place, the mean, the spread and the seeds.
        QTest::mouseMove(map, map->cellCenter(1, 0));
        QTRY_VERIFY(!map->hoverLine().isEmpty());
        const QString line = map->hoverLine();
        QVERIFY2(line.contains("refresh threshold 4 µS") && line.contains("0.05") &&
                     line.contains("best test accuracy 70.00 %") && line.contains("n = 2 of 2") &&
                     line.contains("std 2.121 %"),
                 qPrintable(line));
        QTest::mouseMove(map, map->cellCenter(0, 1));
        QTRY_VERIFY2(map->hoverLine().contains("n = 1 of 2"), qPrintable(map->hoverLine()));
        QTest::mouseMove(map, map->cellCenter(0, 2));
        QTRY_VERIFY2(map->hoverLine().contains("not run yet (0 of 2 seeds)"),
                     qPrintable(map->hoverLine()));
        // Axis titles name the parameters with their units.
        view->grab();
        QVERIFY(map->elidedTexts().isEmpty());
    }

    void oneParameterIsALinePlot() {
        SweepView view;
        QCOMPARE(view.open(path("sweep.h5")), QString());
        view.resize(1000, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setAxes(1, -1); // eps across, the threshold held at 4 uS
        QVERIFY(view.showsLinePlot());
        QLineSeries* mean = nullptr;
        for (QAbstractSeries* s : view.chart()->chart()->series())
            if (auto* l = qobject_cast<QLineSeries*>(s)) mean = l;
        QVERIFY(mean);
        QCOMPARE(mean->count(), 3);
        QCOMPARE(mean->at(2).y(), (accuracy(0, 2, 1) + accuracy(0, 2, 2)) / 2);
        const QPoint at =
            view.chart()->mapFromScene(view.chart()->chart()->mapToPosition(mean->at(1), mean));
        QVERIFY2(view.chart()->hoverAt(at).contains("std"), qPrintable(view.chart()->hoverText()));
        // Held at 8 uS, the line skips the point not run yet.
        view.setFixedValue(0, 1);
        mean = nullptr;
        for (QAbstractSeries* s : view.chart()->chart()->series())
            if (auto* l = qobject_cast<QLineSeries*>(s)) mean = l;
        QVERIFY(mean);
        QCOMPARE(mean->count(), 2);
    }

    void anotherSweepIsComparedInTheLinePlot() {
        SweepView view;
        QCOMPARE(view.open(path("sweep.h5")), QString());
        view.resize(1000, 600);
        view.setAxes(1, -1); // eps across, the threshold held at 4 uS
        QCOMPARE(view.compare(path("other.h5")), QString());
        std::vector<QLineSeries*> means;
        for (QAbstractSeries* s : view.chart()->chart()->series())
            if (auto* l = qobject_cast<QLineSeries*>(s)) means.push_back(l);
        QCOMPARE(means.size(), std::size_t(2));
        QVERIFY(means[0]->name().startsWith("mca-pcm") &&
                means[1]->name().startsWith("direct-pcm"));
        for (int e = 0; e < 3; ++e) {
            const double mean =
                (accuracy(0, std::size_t(e), 1) + accuracy(0, std::size_t(e), 2)) / 2;
            QVERIFY(std::abs(means[0]->at(e).y() - mean) < 1e-9);
            QVERIFY(std::abs(means[1]->at(e).y() - (mean - 10)) < 1e-9);
        }
        // Another grid is refused naming the file; the comparison shown stays.
        const QString why = view.compare(path("one-axis.h5"));
        QVERIFY2(why.contains("one-axis.h5") && why.contains("sweeps 1 parameters"),
                 qPrintable(why));
        QCOMPARE(view.compare({}), QString());
        int lines = 0;
        for (QAbstractSeries* s : view.chart()->chart()->series())
            lines += qobject_cast<QLineSeries*>(s) != nullptr;
        QCOMPARE(lines, 1);
    }

    void exportsMapAndTable() {
        SweepView view;
        QCOMPARE(view.open(path("sweep.h5")), QString());
        view.resize(1000, 600);
        QCOMPARE(view.exportPng(path("map.png")), QString());
        QVERIFY(!QImage(path("map.png")).isNull());
        QCOMPARE(view.exportCsv(path("table.csv")), QString());
        QFile csv(path("table.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 7); // header + 6 grid points
        QVERIFY(lines[0].startsWith("tile.refresh_threshold_uS,scheme.eps,seeds planned,"
                                    "best test accuracy [%] mean"));
        QVERIFY(view.exportCsv(path("no-such-dir/table.csv")).contains("no-such-dir"));
    }

    void badFilesAreRefused() {
        MainWindow window(nullptr, false);
        QVERIFY(window.openSweep(path("sweep.h5")));
        for (const QString name : {"junk.h5", "truncated.h5", "missing.h5"}) {
            QVERIFY(!window.openSweep(path(name)));
            QMessageBox* box = nullptr;
            QTRY_VERIFY((box = window.findChild<QMessageBox*>()) != nullptr);
            QVERIFY2(box->text().contains(name), qPrintable(box->text()));
            delete box;
            // The sweep shown before stays.
            QCOMPARE(window.sweepView()->heatmap()->cols(), 3);
        }
    }

    void screenshotOfABadFileEndsWithOneLine() {
        QProcess p;
        p.start(CROSSBARLAB_GUI, {"--sweep", path("junk.h5"), "--screenshot", path("shot.png"),
                                  "--size", "800x600"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains("junk.h5"));
        QVERIFY(!QFile::exists(path("shot.png")));
        p.start(CROSSBARLAB_GUI, {"--sweep", path("sweep.h5"), "--screenshot", path("shot.png"),
                                  "--size", "800x600"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(QImage(path("shot.png")).size(), QSize(800, 600));
    }
};

QTEST_MAIN(TestSweepView)
#include "tst_sweep_view.moc"
