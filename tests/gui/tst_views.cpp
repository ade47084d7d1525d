// Views drawing hand-made snapshots (issue 18's smaller findings): change markers in the
// schema's words and units, synapse traces since the pin, times and rates as text, energy colours
// per component, PNG export of the chart alone; the preset list offers every preset; the GAN
// view's digits and Fréchet distance.
#include "core/experiment/config.hpp"
#include "core/experiment/snapshot.hpp"
#include "gui_test_config.hpp"
#include "ui/shell/exporter.hpp"
#include "ui/views/device_explorer.hpp"
#include "ui/views/energy_chart.hpp"
#include "ui/views/experiment_panel.hpp"
#include "ui/views/gan_view.hpp"
#include "ui/views/snapshot_view.hpp"
#include "ui/views/traces_chart.hpp"
#include "ui/widgets/chart_view.hpp"

#include <QBarSet>
#include <QChart>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QSet>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>

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

    // F6a: the traces' time axis starts at the earliest pin ("since pin"), not at 0; a pair
    // draws G+ and G−, a single device G alone (F10b).
    void tracesStartAtThePin() {
        for (const bool pair : {true, false}) {
            auto s = snapshot_of("mca-pcm");
            s->simulated_time_s = 1000;
            LayerPicture p;
            p.weights = p.g_plus_uS = Eigen::MatrixXf::Constant(2, 2, 1.f);
            if (pair) p.g_minus_uS = p.g_plus_uS;
            s->layers = {p};
            SynapseTrace t;
            t.row = t.col = 1;
            t.t_s = {900, 950, 1000};
            t.g_plus_uS = {1, 2, 3};
            if (pair) t.g_minus_uS = {1, 1, 1};
            t.weight = {0, 1, 2};
            s->traces = {t};
            TracesChart chart;
            chart.resize(600, 400);
            chart.showSnapshot(s);
            QCOMPARE(chart.seriesCount(), pair ? 2 : 1);
            auto* x = qobject_cast<QValueAxis*>(
                chart.chartView()->chart()->axes(Qt::Horizontal).value(0));
            QVERIFY(x);
            QVERIFY2(x->min() >= 850 && x->min() <= 900, qPrintable(QString::number(x->min())));
            QVERIFY(x->max() >= 1000 && x->max() < 1100);
        }
    }

    // F10m, F10n: no "1e+03 µs", no "1 images/s".
    void numbersReadAsText() {
        QCOMPARE(latency_text(33.54), QString("33.5 µs"));
        QCOMPARE(latency_text(512), QString("512 µs"));
        QCOMPARE(latency_text(1000), QString("1.00 ms"));
        QCOMPARE(latency_text(999.7), QString("1.00 ms"));
        QCOMPARE(latency_text(2.5e6), QString("2.50 s"));
        QCOMPARE(energy_text(999.7), QString("1 µJ"));
        QCOMPARE(energy_text(0.9997), QString("1 nJ"));
        QCOMPARE(energy_text(12.34), QString("12.3 nJ"));
        QCOMPARE(rate_text(1), QString("1 image/s"));
        QCOMPARE(rate_text(2), QString("2 images/s"));
        QCOMPARE(rate_text(2.5), QString("2.5 images/s"));
        QCOMPARE(rate_text(0.4), QString("0.40 images/s"));
        QVERIFY(rate_text(1e4).endsWith(" images/s"));
        QVERIFY(!rate_text(1e4).contains("e+"));
    }

    // F10j, 8c: a component keeps its colour whatever else is shown, and the components of
    // one technology never share one.
    void energyColoursFollowTheComponent() {
        const QDir dir(QString::fromStdString(resource_dir()) + "/technology");
        const QStringList files = dir.entryList({"*.json"}, QDir::Files);
        QVERIFY(!files.isEmpty());
        for (const QString& f : files) {
            QFile file(dir.filePath(f));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const nlohmann::json j = nlohmann::json::parse(file.readAll().toStdString());
            QSet<QRgb> seen;
            for (const nlohmann::json& component : j.at("components")) {
                const QString name = QString::fromStdString(component.at("name"));
                const QRgb c = component_color(name).rgb();
                QVERIFY2(!seen.contains(c), qPrintable(f + ": " + name));
                seen.insert(c);
            }
        }
        const auto report = [](std::vector<std::string> names) {
            auto s = snapshot_of("mca-pcm");
            s->energy.technology = "mca-14nm";
            for (const std::string& n : names) {
                ComponentSummary c;
                c.name = n;
                c.energy_nJ[0] = c.energy_nJ[2] = 1;
                s->energy.components.push_back(c);
            }
            return s;
        };
        const auto colour_of = [](EnergyChart& chart, const QString& label) {
            for (QAbstractSeries* series : chart.chartView()->chart()->series())
                if (auto* bars = qobject_cast<QStackedBarSeries*>(series))
                    for (QBarSet* set : bars->barSets())
                        if (set->label() == label) return set->color();
            return QColor();
        };
        EnergyChart chart;
        chart.showSnapshot(report({"verify_read", "digital_mac"}));
        const QColor alone = colour_of(chart, "digital MACs");
        QVERIFY(alone.isValid());
        chart.showSnapshot(report({"crossbar_mvm", "adc", "dac", "verify_read", "digital_mac"}));
        QCOMPARE(colour_of(chart, "digital MACs"), alone);
        QVERIFY(colour_of(chart, "verify reads") != alone);
    }

    // 8: a chart's PNG is the chart alone (the size of the chart view, at 2x), not the panel
    // with its technology box, buttons and lines of text; a view without a chart is drawn whole.
    void pngExportIsTheChartAlone() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        EnergyChart chart;
        chart.resize(900, 600);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        auto s = snapshot_of("mca-pcm");
        s->energy.technology = "mca-14nm";
        ComponentSummary c;
        c.name = "pcm_set";
        c.energy_nJ = {1, 2, 30, 0, 33};
        s->energy.components = {c};
        s->energy.energy_nJ_per_image = c.energy_nJ;
        chart.showSnapshot(s);
        QVERIFY(chart.chartView()->height() < chart.height() - 20); // controls above it
        const QString png = dir.filePath("energy.png");
        QCOMPARE(export_png(&chart, png), QString());
        const QImage img(png);
        QCOMPARE(img.size(), chart.chartView()->size() * 2);
        // Not blank: the bars' colour, text and axes, many colours in all.
        QSet<QRgb> colours;
        for (int y = 0; y < img.height(); y += 3)
            for (int x = 0; x < img.width(); x += 3)
                colours.insert(img.pixel(x, y));
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
        QVERIFY(colours.contains(component_color("pcm_set").rgb()));

        QLabel text("no chart here");
        text.resize(300, 100);
        QCOMPARE(export_png(&text, png), QString());
        QCOMPARE(QImage(png).size(), QSize(600, 200));
    }

    // F5b and item 5: the explorer follows the experiment's device family, and says what a
    // family without seed 002's model lacks, after the results draw too.
    void explorerFollowsTheDeviceFamily() {
        DeviceExplorer explorer;
        explorer.resize(900, 700);
        explorer.show();
        QTRY_VERIFY_WITH_TIMEOUT(explorer.hasResult(), 60000);
        QVERIFY(explorer.familyNote().isEmpty());
        QSignalSpy shown(&explorer, &DeviceExplorer::resultShown);
        explorer.setDeviceJson({{"family", "rram"}});
        QVERIFY(shown.wait(60000));
        QCOMPARE(explorer.shownFamily(), QString("rram"));
        QVERIFY2(explorer.familyNote().contains("rram") &&
                     explorer.familyNote().contains("no drift"),
                 qPrintable(explorer.familyNote()));
        explorer.setDeviceJson({{"family", "unknown-family"}});
        QVERIFY(shown.wait(60000));
        QCOMPARE(explorer.shownFamily(), QString("pcm"));
        QVERIFY2(explorer.familyNote().contains("cannot be read"),
                 qPrintable(explorer.familyNote()));
        explorer.setDeviceJson({{"family", "pcm"}});
        QVERIFY(shown.wait(60000));
        QCOMPARE(explorer.shownFamily(), QString("pcm"));
        QVERIFY(explorer.familyNote().isEmpty());
    }

    // The preset list offers every preset, the GANs too (drawn by the GAN view), each with its
    // description as the tooltip.
    void presetListOffersGans() {
        ExperimentPanel panel;
        const QComboBox* box = panel.presetBox();
        QVERIFY(box->findText("mca-pcm") >= 0 && box->findText("fp32-dqn") >= 0);
        const int gan = box->findText("mca-pcm-gan");
        QVERIFY(box->findText("fp32-gan") >= 0 && gan >= 0);
        QVERIFY(box->itemData(gan, Qt::ToolTipRole).toString().contains("Reproduces:"));
    }

    // The GAN view: the digits of the generator now follow the run; the slider shows any
    // finished epoch's digits, and stays there as epochs finish; one FD point per epoch.
    void ganViewShowsDigitsPerEpoch() {
        const auto images = [](float level) {
            return std::make_shared<const Eigen::MatrixXf>(
                Eigen::MatrixXf::Constant(28 * 28, 36, level));
        };
        auto s = snapshot_of("mca-pcm-gan");
        s->epochs_total = 5;
        s->step = 1200;
        GanPicture p;
        p.image_height = p.image_width = 28;
        p.samples = images(0.5f);
        s->gan = p;
        GanView view;
        view.resize(700, 400);
        view.showSnapshot(s);
        QCOMPARE(view.gridImages(), 36);
        QCOMPARE(view.distancePoints(), 0);
        QVERIFY2(view.captionText().contains("1,200 real images"), qPrintable(view.captionText()));

        auto t = std::make_shared<Snapshot>(*s);
        t->gan->epoch_samples = {images(0.1f), images(0.2f)};
        t->gan->frechet_distance = {300.5, 150.25};
        t->gan->discriminator_loss = {1.2, 1.1};
        t->gan->generator_loss = {0.8, 0.9};
        t->gan->samples = images(0.3f);
        view.showSnapshot(t);
        QCOMPARE(view.distancePoints(), 2);
        QVERIFY(view.captionText().startsWith("The generator now"));
        view.showEpoch(1);
        QVERIFY2(view.captionText().contains("End of epoch 1 of 5") &&
                     view.captionText().contains("300.50"),
                 qPrintable(view.captionText()));
        auto u = std::make_shared<Snapshot>(*t);
        u->gan->epoch_samples.push_back(images(0.4f));
        u->gan->frechet_distance.push_back(120.0);
        u->gan->discriminator_loss.push_back(1.0);
        u->gan->generator_loss.push_back(1.0);
        view.showSnapshot(u);
        QCOMPARE(view.distancePoints(), 3);
        QVERIFY(view.captionText().contains("End of epoch 1 of 5")); // chosen by hand: it stays
        view.showEpoch(0);
        QVERIFY(view.captionText().startsWith("The generator now"));

        view.showSnapshot(snapshot_of("mca-pcm")); // another task: the view empties
        QCOMPARE(view.gridImages(), 0);
        QCOMPARE(view.distancePoints(), 0);
    }

    // F10d: change-marker labels close together take rows of their own instead of covering
    // one another (three rows, each checked only against its neighbour, did).
    void markerLabelsDoNotOverlap() {
        const QRectF plot(0, 0, 600, 300);
        QList<double> lefts, widths;
        for (int i = 0; i < 8; ++i) {
            lefts << 100 + 10 * i << 590; // close pairs, and some pushed left at the right edge
            widths << 120 << 150;
        }
        const QList<QRectF> boxes = place_marker_labels(lefts, widths, plot, 16, 9);
        QCOMPARE(boxes.size(), lefts.size());
        for (qsizetype i = 0; i < boxes.size(); ++i) {
            QVERIFY(plot.contains(boxes[i]));
            for (qsizetype j = 0; j < i; ++j)
                QVERIFY2(!boxes[i].intersects(boxes[j]),
                         qPrintable(QString("%1, %2").arg(j).arg(i)));
        }
        // Out of rows, a label still gets a place.
        QCOMPARE(place_marker_labels(lefts, widths, plot, 16, 2).size(), lefts.size());
    }
};

QTEST_MAIN(TestViews)
#include "tst_views.moc"
