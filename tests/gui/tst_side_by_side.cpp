// Issue 18 item 4: a side-by-side heatmap view, the main run on the left and a chosen comparison
// run on the right, each drawing its own crossbar.
#include "core/experiment/snapshot.hpp"
#include "gui_test_config.hpp"
#include "ui/shell/comparison_runs.hpp"
#include "ui/views/heatmap_panel.hpp"
#include "ui/views/side_by_side.hpp"
#include "ui/widgets/heatmap_view.hpp"

#include <QComboBox>
#include <QTest>

using namespace cbl;
using namespace cbl::ui;

class TestSideBySide : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() { isolate_gui_test(); }

    void eachSideDrawsItsOwnRun() {
        ComparisonRuns runs;
        SideBySide view(&runs);
        view.resize(1200, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.chosenRun(), -1);
        QVERIFY(!view.right()->isVisible()); // a hint instead, until a run is added

        // The two runs differ in their first layer's width: 64 and 24 hidden neurons.
        ExperimentConfig main = gui_test_config(60, 2);
        ExperimentConfig other = gui_test_config(60, 2);
        other.network.layers = {785, 24, 10};
        runs.add(main, "64 hidden");
        runs.add(other, "24 hidden");
        QCOMPARE(view.findChild<QComboBox*>()->count(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(runs.snapshot(1) && !runs.snapshot(1)->layers.empty(), 20000);
        view.chooseRun(1);
        QCOMPARE(view.chosenRun(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(view.right()->heatmap()->rows(), 24, 5000);

        // The left side is the main window's run: here the first comparison run's snapshot.
        QTRY_VERIFY_WITH_TIMEOUT(runs.snapshot(0) && !runs.snapshot(0)->layers.empty(), 20000);
        view.showSnapshot(runs.snapshot(0));
        QCOMPARE(view.left()->heatmap()->rows(), 64);

        // Removing the chosen run leaves the one that is still there.
        runs.remove(1);
        QCOMPARE(view.chosenRun(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(view.right()->heatmap()->rows(), 64, 5000);
    }
};

QTEST_MAIN(TestSideBySide)
#include "tst_side_by_side.moc"
