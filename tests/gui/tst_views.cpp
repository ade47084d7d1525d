// Views drawing hand-made snapshots (issue 18's smaller findings): change markers in the
// schema's words and units.
#include "core/experiment/config.hpp"
#include "core/experiment/snapshot.hpp"
#include "gui_test_config.hpp"
#include "ui/views/snapshot_view.hpp"

#include <QTest>

using namespace cbl;
using namespace cbl::ui;

namespace {
std::shared_ptr<Snapshot> snapshot_of(const std::string& preset) {
    auto s = std::make_shared<Snapshot>();
    s->config = load_preset(preset);
    return s;
}
} // namespace

class TestViews : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() { isolate_gui_test(); }

    // F10e: "tile.read_noise_scale = 20" reads as the parameter panel names the field.
    void markersUseTheSchemasLabelAndUnit() {
        auto s = snapshot_of("mca-pcm");
        s->epoch_size = 100;
        s->events = {{50, 1.0, "tile.read_noise_scale = 20"},
                     {150, 2.0, "training.optimizer.learning_rate = 0.05"},
                     {200, 3.0, "tile.init_mean_uS = 2.5"},
                     {250, 4.0, "technology = \"rram-32nm\""}};
        const QList<TimeMarker> m = event_markers(*s, false);
        QCOMPARE(m.size(), 4);
        QCOMPARE(m[0].x, 0.5);
        QCOMPARE(m[0].label, QString("read-noise scale = 20×"));
        QCOMPARE(m[1].label, QString("learning rate η = 0.05"));
        QCOMPARE(m[2].label, QString("initial G mean = 2.5 µS"));
        QCOMPARE(m[3].label, QString("technology = rram-32nm"));
        for (const TimeMarker& t : m)
            QVERIFY2(!t.label.contains('_'), qPrintable(t.label));
    }
};

QTEST_MAIN(TestViews)
#include "tst_views.moc"
