// Issue 18: comparison runs are overlaid on the per-epoch charts, the sparsity chart included
// (one dotted line per run: its device updates per epoch over all layers), and listed with their
// progress and state in the Runs panel, from which one can be removed.
#include "core/experiment/snapshot.hpp"
#include "gui_test_config.hpp"
#include "ui/shell/comparison_runs.hpp"
#include "ui/views/run_list.hpp"
#include "ui/views/sparsity_chart.hpp"
#include "ui/widgets/chart_view.hpp"

#include <QChart>
#include <QLineSeries>
#include <QTest>

#include <cmath>
#include <memory>

using namespace cbl;
using namespace cbl::ui;

namespace {

EpochMetrics epoch(int n, std::vector<std::uint64_t> devices, std::vector<std::uint64_t> fp) {
    EpochMetrics m;
    m.epoch = n;
    m.test_accuracy = 0.8;
    m.device_updates = std::move(devices);
    m.fp_equivalent_updates = std::move(fp);
    return m;
}

QLineSeries* series_named(const ChartView* view, const QString& name) {
    for (QAbstractSeries* s : view->chart()->series())
        if (s->name() == name) return qobject_cast<QLineSeries*>(s);
    return nullptr;
}

} // namespace

class TestComparisonOverlays : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() { isolate_gui_test(); }

    void sparsityOverlaysEveryComparisonRun() {
        SparsityChart chart;
        auto s = std::make_shared<Snapshot>();
        s->epochs_total = 3;
        s->history = {epoch(1, {100, 10}, {1000000, 100000}), epoch(2, {50, 5}, {1000000, 100000})};
        chart.showSnapshot(s);
        RunCurve run;
        run.label = "direct-pcm";
        run.history = {epoch(1, {1000, 50}, {1000000, 100000}),
                       epoch(2, {2000, 0}, {1000000, 100000}),
                       epoch(3, {3000, 30}, {1000000, 100000})};
        chart.setComparisons({run});
        const QLineSeries* line = series_named(chart.chartView(), "direct-pcm devices");
        QVERIFY(line);
        QCOMPARE(line->count(), 3);
        QCOMPARE(line->at(0).y(), std::log10(1050.0));
        QCOMPARE(line->at(2).x(), 3.0);
        QVERIFY(series_named(chart.chartView(), "layer 1 devices"));
        chart.setComparisons({});
        QVERIFY(!series_named(chart.chartView(), "direct-pcm devices"));
    }

    void runListShowsEveryRunAndRemovesOne() {
        ComparisonRuns runs;
        RunList list(&runs);
        auto main = std::make_shared<Snapshot>();
        main->config.name = "gui-test";
        main->epochs_total = 3;
        main->epochs_done = 1;
        main->history = {epoch(1, {100}, {1000})};
        list.showSnapshot(main);
        QCOMPARE(list.rowCount(), 1);
        QCOMPARE(list.rowText(0),
                 (QStringList{"main: gui-test", "epoch 2 / 3", "paused", "80.00 %"}));
        runs.add(gui_test_config(60, 2), "seed 2");
        runs.add(gui_test_config(60, 2), "seed 3");
        QCOMPARE(list.rowCount(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(runs.snapshot(0) && runs.snapshot(0)->loading.empty() &&
                                     !runs.snapshot(0)->layers.empty(),
                                 20000);
        QTRY_COMPARE_WITH_TIMEOUT(list.rowText(1).at(2), QString("paused"), 20000);
        QCOMPARE(list.rowText(1).at(0), QString("seed 2"));
        QCOMPARE(list.rowText(1).at(1), QString("epoch 1 / 2"));
        runs.remove(0);
        QCOMPARE(list.rowCount(), 2);
        QCOMPARE(list.rowText(1).at(0), QString("seed 3"));
    }
};

QTEST_MAIN(TestComparisonOverlays)
#include "tst_comparison_overlays.moc"
