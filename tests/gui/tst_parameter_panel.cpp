// The parameter panel against the core parameter schema: every editor's range, choices and the
// fields shown come from the schema (no range table of its own), and a refused structural edit
// names the field as the user writes it.
#include "core/config/schema.hpp"
#include "core/experiment/config.hpp"
#include "core/experiment/snapshot.hpp"
#include "gui_test_config.hpp"
#include "ui/shell/parameter_info.hpp"
#include "ui/views/parameter_panel.hpp"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QTest>

#include <cmath>

using namespace cbl;
using namespace cbl::ui;

namespace {
SnapshotPtr snapshot_of(const ExperimentConfig& c) {
    auto s = std::make_shared<Snapshot>();
    s->config = c;
    return s;
}
} // namespace

class TestParameterPanel : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() { isolate_gui_test(); }

    void editorsFollowTheSchema_data() {
        QTest::addColumn<QString>("preset");
        for (const auto& n : preset_names())
            QTest::newRow(n.c_str()) << QString::fromStdString(n);
    }
    void editorsFollowTheSchema() {
        QFETCH(QString, preset);
        const ExperimentConfig c = load_preset(preset.toStdString());
        ParameterPanel panel;
        panel.showSnapshot(snapshot_of(c));
        QVERIFY(!panel.paths().isEmpty());
        const nlohmann::json cj = c;
        for (const QString& path : panel.paths()) {
            const FieldSpec* f = find_field(path.toStdString(), c.tile.device.family());
            QVERIFY2(f && f->panel && field_applies(*f, cj), qPrintable(path));
            const double lo = f->off ? std::min(f->lo, *f->off) : f->lo;
            QWidget* w = panel.editor(path);
            if (auto* sb = qobject_cast<QSpinBox*>(w)) {
                QVERIFY2(f->kind == FieldKind::integer, qPrintable(path));
                QCOMPARE(sb->minimum(), int(lo));
                QCOMPARE(sb->maximum(), int(std::min(f->hi, 2e9)));
            } else if (auto* db = qobject_cast<QDoubleSpinBox*>(w)) {
                QVERIFY2(f->kind == FieldKind::real, qPrintable(path));
                // The spin box shows `decimals` digits: its minimum is the schema's, rounded.
                QVERIFY2(std::abs(db->minimum() - lo) <= std::pow(10.0, -db->decimals()),
                         qPrintable(path));
                QCOMPARE(db->maximum(), f->hi);
            } else if (auto* cb = qobject_cast<QComboBox*>(w)) {
                QStringList choices;
                for (const auto& s : f->choices)
                    choices << QString::fromStdString(s);
                QStringList items;
                for (int i = 0; i < cb->count(); ++i)
                    items << cb->itemText(i);
                QCOMPARE(items, choices);
            }
            QVERIFY2(w->toolTip().contains(QString::fromStdString(f->meaning).toHtmlEscaped()),
                     qPrintable(path));
        }
        // The panel shows exactly the schema's fields that apply to this experiment.
        int expected = 0;
        for (const FieldSpec& f : parameter_schema())
            expected += f.panel && (f.family.empty() || f.family == c.tile.device.family()) &&
                        field_applies(f, cj) &&
                        (f.path.rfind("training.", 0) == 0 || f.path.rfind("scheme.", 0) == 0 ||
                         f.path.rfind("tile.", 0) == 0 || f.path.rfind("device.", 0) == 0);
        QCOMPARE(int(panel.paths().size()), expected);
    }

    void structuralEditsAreCheckedByTheCore() {
        ParameterPanel panel;
        panel.showSnapshot(snapshot_of(load_preset("mca-pcm")));
        panel.applyValue("device.g_max_uS", 1.5);
        // Named as the panel names the field, not by its dotted path (issue 18).
        const QString label = parameter_info("device.g_max_uS").label;
        QVERIFY2(panel.errorText("device.g_max_uS").contains("“" + label + "” = 1.5") &&
                     !panel.errorText("device.g_max_uS").contains("device.g_max_uS"),
                 qPrintable(panel.errorText("device.g_max_uS")));
        QVERIFY(!panel.hasPending());
        panel.applyValue("device.g_max_uS", 15.0);
        QVERIFY(panel.errorText("device.g_max_uS").isEmpty());
        QVERIFY(panel.hasPending());
    }

    // Issue 18 F4b: the pending bar stays in view while the fields scroll to the last one.
    void pendingBarStaysInView() {
        ParameterPanel panel;
        panel.resize(320, 300);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.showSnapshot(snapshot_of(load_preset("mca-pcm")));
        panel.applyValue("device.g_max_uS", 15.0);
        QVERIFY(panel.hasPending());
        QScrollBar* bar = panel.scrollArea()->verticalScrollBar();
        QTRY_VERIFY(bar->maximum() > 0); // the fields do not fit: they scroll
        bar->setValue(bar->maximum());
        QApplication::processEvents();
        QVERIFY(panel.pendingBar()->isVisible());
        QVERIFY(!panel.pendingBar()->visibleRegion().isEmpty());
        QVERIFY(!panel.scrollArea()->isAncestorOf(panel.pendingBar()));
        QVERIFY(panel.pendingBar()->mapTo(&panel, QPoint(0, 0)).y() < 10);
    }

    // Issue 18 F10f: 99999 typed into η is refused with the allowed range, not cut to 9.
    void outOfRangeInputIsRefusedInWords() {
        ParameterPanel panel;
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const ExperimentConfig c = load_preset("mca-pcm");
        panel.showSnapshot(snapshot_of(c));
        const QString path = "training.optimizer.learning_rate";
        auto* eta = qobject_cast<QDoubleSpinBox*>(panel.editor(path));
        QVERIFY(eta);
        const double before = eta->value();
        eta->setFocus();
        eta->selectAll();
        QTest::keyClicks(eta, "99999");
        QTest::keyClick(eta, Qt::Key_Return);
        QTRY_VERIFY(!panel.errorText(path).isEmpty());
        const QString error = panel.errorText(path);
        QVERIFY2(error.contains("99999") && error.contains("100"), qPrintable(error));
        QCOMPARE(eta->value(), before);
        // Within the range it is taken as typed.
        eta->selectAll();
        QTest::keyClicks(eta, "0.5");
        QTest::keyClick(eta, Qt::Key_Return);
        QCOMPARE(eta->value(), 0.5);
    }
};

QTEST_MAIN(TestParameterPanel)
#include "tst_parameter_panel.moc"
