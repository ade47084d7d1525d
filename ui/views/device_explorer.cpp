#include "ui/views/device_explorer.hpp"

#include "ui/shell/characterisation_worker.hpp"
#include "ui/widgets/chart_view.hpp"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QLocale>
#include <QResizeEvent>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace cbl::ui {

namespace {
/// The smallest chart whose titles, ticks and legend read in full (at the normal font).
constexpr QSize kChartMin(340, 270);

QValueAxis* value_axis(const QString& title) {
    auto* a = new QValueAxis;
    a->setTitleText(title);
    return a;
}

void add(ChartView* v, QAbstractSeries* s, QAbstractAxis* x, QAbstractAxis* y) {
    v->chart()->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
}
} // namespace

DeviceExplorer::DeviceExplorer(QWidget* parent) : QWidget(parent) {
    worker_ = new CharacterisationWorker(this);
    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(150);

    devices_ = new QSpinBox;
    devices_->setRange(10, 100000);
    devices_->setValue(2000);
    devices_->setSingleStep(1000);
    devices_->setToolTip("Devices characterised (seed 002: 10,000)");
    pulseCount_ = new QSpinBox;
    pulseCount_->setRange(1, 200);
    pulseCount_->setValue(20);
    pulseCount_->setToolTip("SET pulses per device (seed 002: 20 pulses of 90 µA, 50 ns)");
    histAfter_ = new QSpinBox;
    histAfter_->setRange(1, 200);
    histAfter_->setValue(15);
    histAfter_->setToolTip("The distribution (B) is taken after this many pulses");
    readNoise_ = new QCheckBox("read noise");
    readNoise_->setChecked(true);
    readNoise_->setToolTip("Reads carry the model's read noise, as the measurement did");
    // Its own line: the result line below is rewritten at every draw, the warning must stay.
    familyNote_ = new QLabel;
    familyNote_->setStyleSheet("color: #9a5b00; font-weight: bold;");
    familyNote_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    familyNote_->hide();
    status_ = new QLabel;
    // One line: a word-wrapped label makes the scroll area size the explorer by height-for-width
    // (every chart at its preferred height) instead of the viewport.
    status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    // A: pulse response.
    pulses_ = new ChartView("A  G after each SET pulse (mean ± std)");
    pX_ = value_axis("SET pulse number");
    pX_->setLabelFormat("%.0f");
    pY_ = value_axis("G [µS], read at T0");
    pulses_->chart()->addAxis(pX_, Qt::AlignBottom);
    pulses_->chart()->addAxis(pY_, Qt::AlignLeft);
    upper_ = new QLineSeries(this);
    lower_ = new QLineSeries(this);
    band_ = new QAreaSeries(upper_, lower_);
    band_->setName("± 1 std");
    band_->setBrush(QColor(0, 114, 178, 60));
    band_->setPen(Qt::NoPen);
    add(pulses_, band_, pX_, pY_);
    mean_ = new QLineSeries;
    mean_->setName("mean of the devices");
    style_series(mean_, series_color(0), 2.5);
    mean_->setPointsVisible(true);
    add(pulses_, mean_, pX_, pY_);
    modelMean_ = new QLineSeries;
    modelMean_->setName("model expectation");
    style_series(modelMean_, series_color(1), 2, Qt::DashLine);
    add(pulses_, modelMean_, pX_, pY_);

    // B: distribution.
    histogram_ = new ChartView("B  Distribution of G after k pulses");
    histogram_->drawLegendAsLines();
    hX_ = value_axis("conductance G [µS]");
    hY_ = value_axis("devices per bin");
    histogram_->chart()->addAxis(hX_, Qt::AlignBottom);
    histogram_->chart()->addAxis(hY_, Qt::AlignLeft);
    hist_ = new QLineSeries;
    hist_->setName("simulated devices");
    style_series(hist_, series_color(0), 2);
    add(histogram_, hist_, hX_, hY_);
    histModel_ = new QLineSeries;
    histModel_->setName("model expectation");
    style_series(histModel_, series_color(1), 2, Qt::DashLine);
    add(histogram_, histModel_, hX_, hY_);

    // C: drift.
    drift_ = new ChartView("C  Drift: G(t) = G(T0)·(t/T0)^−ν");
    drift_->drawLegendAsLines();
    dX_ = new QCategoryAxis;
    dX_->setTitleText("time after the last pulse (log scale)");
    dY_ = value_axis("mean G [µS]");
    drift_->chart()->addAxis(dX_, Qt::AlignBottom);
    drift_->chart()->addAxis(dY_, Qt::AlignLeft);

    // D: single traces.
    traces_ = new ChartView("D  Single devices, read between pulses");
    traces_->drawLegendAsLines();
    tX_ = value_axis("SET pulse number (reads between pulses)");
    tY_ = value_axis("conductance G [µS]");
    traces_->chart()->addAxis(tX_, Qt::AlignBottom);
    traces_->chart()->addAxis(tY_, Qt::AlignLeft);

    for (ChartView* v : {pulses_, histogram_, drift_, traces_})
        v->setPlaceholder("computing…");
    pulses_->setToolTip("Each SET pulse raises G by a random amount that shrinks as G grows "
                        "(saturation near 10 µS); the spread is device-to-device and "
                        "pulse-to-pulse variability. Seed 002 Fig. 2A.");
    histogram_->setToolTip("How the devices are spread after k pulses: programming is stochastic, "
                           "which is why blind single-shot pulses need the χ accumulator. "
                           "Seed 002 Fig. 2B.");
    drift_->setToolTip("After programming, PCM conductance decays as a power law in time "
                       "(structural relaxation of the amorphous phase). Seed 002 Fig. 2C.");
    traces_->setToolTip("Individual devices read many times after each pulse: steps are pulses, "
                        "jitter is read noise. Seed 002 Fig. 2D.");

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(6, 4, 4, 0);
    controls->addWidget(new QLabel("Devices:"));
    controls->addWidget(devices_);
    controls->addWidget(new QLabel("Pulses:"));
    controls->addWidget(pulseCount_);
    controls->addWidget(new QLabel("Histogram after k ="));
    controls->addWidget(histAfter_);
    controls->addWidget(readNoise_);
    controls->addStretch(1);
    // Each chart keeps a size whose labels all fit; in a small dock the explorer scrolls.
    for (ChartView* v : {pulses_, histogram_, drift_, traces_})
        v->setMinimumSize(kChartMin);
    grid_ = new QGridLayout;
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->addLayout(controls);
    lay->addWidget(familyNote_);
    lay->addWidget(status_);
    lay->addLayout(grid_, 1);
    regrid(width());

    connect(debounce_, &QTimer::timeout, this, &DeviceExplorer::run);
    for (QSpinBox* s : {devices_, pulseCount_, histAfter_})
        connect(s, &QSpinBox::valueChanged, this, &DeviceExplorer::schedule);
    connect(readNoise_, &QCheckBox::toggled, this, &DeviceExplorer::schedule);
    connect(worker_, &CharacterisationWorker::finished, this,
            [this](std::shared_ptr<const CharacterisationResult> r) {
                result_ = std::move(r);
                draw();
                Q_EMIT resultShown();
            });
    connect(worker_, &CharacterisationWorker::failed, this, [this](const QString& m) {
        status_->setText("<span style='color:#b00'>Cannot characterise: " + m.toHtmlEscaped() +
                         "</span>");
    });
    device_ = {{"family", "pcm"}};
    schedule();
}

void DeviceExplorer::regrid(int width) {
    // The scroll area's viewport is the room there is: four in a row for a wide, low dock (the
    // bottom tabs), two by two for a large one, one column (scrolled) for a narrow dock.
    const int room = parentWidget() ? parentWidget()->height() : height();
    const int fit = width / (kChartMin.width() + 8);
    const int columns = fit >= 4 && room < 2 * kChartMin.height() + 80 ? 4 : fit >= 2 ? 2 : 1;
    if (columns == columns_) return;
    columns_ = columns;
    const QList<ChartView*> charts = {pulses_, histogram_, drift_, traces_};
    for (ChartView* v : charts)
        grid_->removeWidget(v);
    for (int i = 0; i < charts.size(); ++i)
        grid_->addWidget(charts[i], i / columns, i % columns);
    // The scroll area sized this widget for the old grid's minimum: once the new one is laid
    // out, back to the viewport's height (or the new minimum, scrolled).
    QTimer::singleShot(0, this, [this] {
        if (!parentWidget()) return;
        layout()->activate();
        resize(this->width(), std::max(parentWidget()->height(), minimumSizeHint().height()));
    });
}

QString DeviceExplorer::familyNote() const {
    return familyNote_->isHidden() ? QString() : familyNote_->text();
}

QString DeviceExplorer::shownFamily() const {
    return result_ ? QString::fromStdString(result_->family) : QString();
}

void DeviceExplorer::resizeEvent(QResizeEvent* e) {
    regrid(e->size().width());
    QWidget::resizeEvent(e);
}

void DeviceExplorer::showSnapshot(const SnapshotPtr& s) {
    const nlohmann::json d = s->config.tile.device;
    if (d != device_) setDeviceJson(d);
}

void DeviceExplorer::setDeviceJson(const nlohmann::json& device) {
    device_ = device;
    schedule();
}

void DeviceExplorer::schedule() {
    debounce_->start();
}

void DeviceExplorer::run() {
    const auto p = device_params_of(device_);
    const QString family = QString::fromStdString(device_.value("family", std::string("pcm")));
    familyNote_->setText(
        !p ? QString("This experiment's device (“%1”) cannot be read; showing the default PCM "
                     "model.")
                 .arg(family)
        : p->is_pcm()
            ? QString()
            : QString("This experiment's %1 devices: no model expectation and no drift (seed 002 "
                      "Fig. 2's reference curves are PCM's).")
                  .arg(QString::fromStdString(p->family())));
    familyNote_->setToolTip(familyNote_->text());
    familyNote_->setVisible(!familyNote_->text().isEmpty());
    CharacterisationOptions o;
    o.devices = devices_->value();
    o.pulses = pulseCount_->value();
    o.histogram_after = std::min(histAfter_->value(), o.pulses);
    o.read_noise = readNoise_->isChecked();
    o.traces = 3;
    o.reads_per_pulse = 20;
    o.drift_times_s.clear();
    // 38.6 s (the reference read) to about a month, log spaced.
    for (double t = 38.6; t < 3e6; t *= 2.5)
        o.drift_times_s.push_back(t);
    worker_->request(p.value_or(DeviceParams{}), o);
    status_->setText("computing…");
}

void DeviceExplorer::draw() {
    const CharacterisationResult& r = *result_;
    const auto& o = r.options;
    // PCM is potentiated by SET pulses (seed 002); the other families by their own pulses.
    const bool pcm = r.family == "pcm";
    const QString pulse = pcm ? "SET pulse" : "potentiating pulse";
    const QString what = QString("%1 %2 devices, %3 %4s from %5 µS")
                             .arg(QLocale().toString(o.devices))
                             .arg(QString::fromStdString(r.family))
                             .arg(o.pulses)
                             .arg(pulse)
                             .arg(r.start_mean_uS, 0, 'f', 2);
    status_->setText(r.model_mean_uS.empty()
                         ? what + "."
                         : what + QString("; sample vs model: mean within %1 %, std within %2 %.")
                                      .arg(100 * r.max_mean_rel_error, 0, 'f', 1)
                                      .arg(100 * r.max_std_rel_error, 0, 'f', 1));
    pulses_->chart()->setTitle(QString("A  G after each %1 (mean ± std)").arg(pulse));
    pX_->setTitleText(pulse + " number");
    tX_->setTitleText(pulse + " number (reads between pulses)");
    drift_->chart()->setTitle(
        pcm ? QString("C  Drift: G(t) = G(T0)·(t/T0)^−ν")
            : QString("C  Drift: none in the %1 model").arg(QString::fromStdString(r.family)));
    QList<QPointF> m, mm, up, lo;
    double gmax = 1;
    for (std::size_t i = 0; i < r.pulses.size() && i < r.mean_uS.size(); ++i) {
        const double x = r.pulses[i];
        m.append({x, r.mean_uS[i]});
        if (i < r.std_uS.size()) {
            up.append({x, r.mean_uS[i] + r.std_uS[i]});
            lo.append({x, r.mean_uS[i] - r.std_uS[i]});
            gmax = std::max(gmax, r.mean_uS[i] + r.std_uS[i]);
        }
        if (i < r.model_mean_uS.size()) mm.append({x, r.model_mean_uS[i]});
    }
    mean_->replace(m);
    modelMean_->replace(mm);
    modelMean_->setVisible(!mm.isEmpty()); // PCM only: no legend entry for an empty curve
    upper_->replace(up);
    lower_->replace(lo);
    set_nice_range(pX_, 0, std::max<double>(1, r.pulses.size()), 10, true, false, 1);
    set_nice_range(pY_, 0, gmax * 1.05, 5, true, false);

    QList<QPointF> h, hm;
    double hmax = 1;
    const auto& e = r.histogram_edges_uS;
    for (std::size_t i = 0; i + 1 < e.size() && i < r.histogram_counts.size(); ++i) {
        // Step outline of the bars.
        h.append({e[i], double(r.histogram_counts[i])});
        h.append({e[i + 1], double(r.histogram_counts[i])});
        hmax = std::max(hmax, double(r.histogram_counts[i]));
        if (i < r.histogram_model_counts.size()) {
            const double c = 0.5 * (e[i] + e[i + 1]);
            hm.append({c, r.histogram_model_counts[i]});
            hmax = std::max(hmax, r.histogram_model_counts[i]);
        }
    }
    hist_->replace(h);
    histModel_->replace(hm);
    histModel_->setVisible(!hm.isEmpty());
    if (e.size() > 1) set_nice_range(hX_, e.front(), e.back(), 6);
    set_nice_range(hY_, 0, hmax * 1.05, 5, true, false);
    histogram_->chart()->setTitle(
        QString("B  Distribution of G after %1 pulses").arg(o.histogram_after));

    // Drift: one curve per programmed state (after pulses 1, 2, 5, 10, 20 ...).
    for (auto* s : driftSeries_)
        drift_->chart()->removeSeries(s), delete s;
    driftSeries_.clear();
    double dmax = 1;
    int color = 0;
    const int n = int(r.drift_mean_uS.size());
    constexpr int states[] = {1, 2, 5, 10, 20, 50, 100, 200};
    for (std::size_t i = 0; i < std::size(states); ++i) {
        const int k = states[i];
        if (k > n) break;
        auto* s = new QLineSeries;
        // Short entries so five fit one legend row: the first and the last carry the unit.
        const bool last = i + 1 == std::size(states) || states[i + 1] > n;
        s->setName(k == 1 ? QString("after 1 pulse")
                   : last ? QString("%1 pulses").arg(k)
                          : QString::number(k));
        style_series(s, series_color(color++), 2);
        QList<QPointF> pts;
        for (std::size_t t = 0; t < r.drift_times_s.size() && t < r.drift_mean_uS[k - 1].size();
             ++t) {
            pts.append({std::log10(r.drift_times_s[t]), r.drift_mean_uS[k - 1][t]});
            dmax = std::max(dmax, r.drift_mean_uS[k - 1][t]);
        }
        s->replace(pts);
        add(drift_, s, dX_, dY_);
        driftSeries_.append(s);
    }
    if (!r.drift_times_s.empty())
        set_time_axis(dX_, r.drift_times_s.front(), r.drift_times_s.back());
    set_nice_range(dY_, 0, dmax * 1.05, 5, true, false);

    for (auto* s : traceSeries_)
        traces_->chart()->removeSeries(s), delete s;
    traceSeries_.clear();
    double tmax = 1;
    const int reads = std::max(1, o.reads_per_pulse);
    for (std::size_t d = 0; d < r.traces_uS.size(); ++d) {
        auto* s = new QLineSeries;
        s->setName(QString("device %1").arg(d + 1));
        style_series(s, series_color(int(d)), 1.5);
        QList<QPointF> pts;
        for (std::size_t i = 0; i < r.traces_uS[d].size(); ++i) {
            pts.append({double(i) / reads + 1, r.traces_uS[d][i]});
            tmax = std::max(tmax, r.traces_uS[d][i]);
        }
        s->replace(decimate(pts, 2000));
        add(traces_, s, tX_, tY_);
        traceSeries_.append(s);
    }
    set_nice_range(tX_, 0, std::max(2, o.pulses + 1), 10, true, false, 1);
    set_nice_range(tY_, 0, tmax * 1.05, 5, true, false);
    for (ChartView* v : {pulses_, histogram_, drift_, traces_}) {
        v->setPlaceholder({});
        v->applyFonts();
    }
}

} // namespace cbl::ui
