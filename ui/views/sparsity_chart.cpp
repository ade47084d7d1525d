#include "ui/views/sparsity_chart.hpp"

#include "ui/widgets/chart_view.hpp"

#include <QCategoryAxis>
#include <QChart>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace cbl::ui {

SparsityChart::SparsityChart(QWidget* parent) : QWidget(parent) {
    view_ = new ChartView("Updates per epoch: devices programmed vs full precision");
    view_->drawLegendAsLines(); // solid: devices, dashed: full-precision update
    x_ = new QValueAxis;
    x_->setTitleText("epoch");
    x_->setLabelFormat("%.0f");
    y_ = new QCategoryAxis;
    y_->setTitleText("updates"); // per epoch (the title), log scale (the 10ⁿ ticks)
    set_decade_axis(y_, 0, 9);
    view_->chart()->addAxis(x_, Qt::AlignBottom);
    view_->chart()->addAxis(y_, Qt::AlignLeft);
    view_->setToolTip(
        "Solid: programming pulses actually applied to the devices of each layer in the epoch. "
        "Dashed: how many weight changes a full-precision (FP) update would make, i.e. every "
        "weight with a non-zero gradient after every image. Seed 002 Fig. 3C: the mixed-precision "
        "scheme needs over 1000x fewer device updates.");
    view_->setPlaceholder("Appears after the first epoch (counts are per finished epoch)");
    summary_ = new QLabel;
    summary_->setWordWrap(true);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(6, 4, 4, 0);
    lay->addWidget(summary_);
    lay->addWidget(view_, 1);
}

void SparsityChart::setComparisons(std::vector<RunCurve> runs) {
    // Comparison runs report every snapshot; the chart changes only with their finished epochs.
    const bool same =
        runs.size() == runs_.size() && std::equal(runs.begin(), runs.end(), runs_.begin(),
                                                  [](const RunCurve& a, const RunCurve& b) {
                                                      return a.label == b.label &&
                                                             a.history.size() == b.history.size();
                                                  });
    if (same) return;
    runs_ = std::move(runs);
    if (runSeries_.size() != qsizetype(runs_.size())) {
        for (auto* ser : runSeries_)
            view_->chart()->removeSeries(ser), delete ser;
        runSeries_.clear();
        for (std::size_t i = 0; i < runs_.size(); ++i) {
            auto* ser = new QLineSeries;
            style_series(ser, series_color(int(i) + 3), 2, Qt::DotLine);
            ser->setPointsVisible(true);
            view_->chart()->addSeries(ser);
            ser->attachAxis(x_);
            ser->attachAxis(y_);
            runSeries_.append(ser);
        }
        view_->applyFonts();
    }
    drawnEpochs_ = SIZE_MAX; // the next snapshot redraws
    redraw();
}

void SparsityChart::showSnapshot(const SnapshotPtr& sp) {
    last_ = sp;
    redraw();
}

void SparsityChart::redraw() {
    if (!last_) return;
    const Snapshot& s = *last_;
    // A deep-RL run counts per episode.
    const std::vector<EpochMetrics>& history =
        s.rl ? s.rl->episode_updates : (s.gan ? s.gan->epoch_updates : s.history);
    const QString unit = s.rl ? "episode" : "epoch";
    if (x_->titleText() != unit) {
        x_->setTitleText(unit);
        view_->chart()->setTitle(
            QString("Updates per %1: devices programmed vs full precision").arg(unit));
    }
    // Per-epoch counts: nothing to redraw until an epoch ends or a parameter changes.
    const double lastAcc = history.empty() ? -1 : history.back().test_accuracy;
    if (history.size() == drawnEpochs_ && s.events.size() == drawnEvents_ &&
        s.epochs_total == drawnTotal_ && lastAcc == drawnLast_)
        return;
    drawnLast_ = lastAcc;
    drawnEpochs_ = history.size();
    drawnEvents_ = s.events.size();
    drawnTotal_ = s.epochs_total;
    const int layers = history.empty() ? 0 : int(history.front().device_updates.size());
    if (series_.size() != 2 * layers) {
        for (auto* ser : series_)
            view_->chart()->removeSeries(ser), delete ser;
        series_.clear();
        for (int k = 0; k < layers; ++k)
            for (int d = 0; d < 2; ++d) {
                auto* ser = new QLineSeries;
                ser->setName(QString("layer %1 %2").arg(k + 1).arg(d == 0 ? "devices" : "FP"));
                style_series(ser, series_color(k), d == 0 ? 2.5 : 2,
                             d == 0 ? Qt::SolidLine : Qt::DashLine);
                ser->setPointsVisible(true);
                view_->chart()->addSeries(ser);
                ser->attachAxis(x_);
                ser->attachAxis(y_);
                series_.append(ser);
            }
        // Beyond two layers the legend lists the devices' lines alone, as "layer k" (the title
        // says what solid and dashed are): eight entries do not fit a docked chart.
        if (layers > 2)
            for (QLegendMarker* m : view_->chart()->legend()->markers()) {
                const auto i = series_.indexOf(m->series());
                if (i < 0) continue; // a comparison run's line
                if (i % 2)
                    m->setVisible(false);
                else
                    m->setLabel(QString("layer %1").arg(i / 2 + 1));
            }
        view_->applyFonts();
    }
    double lo = 1e300, hi = 1;
    for (int k = 0; k < layers; ++k) {
        QList<QPointF> dev, fp;
        for (const EpochMetrics& m : history) {
            // Plotted as log10 of the count; a log scale has no zero, so epochs without
            // pulses are left out.
            if (k < int(m.device_updates.size()) && m.device_updates[k] > 0)
                dev.append({double(m.epoch), std::log10(double(m.device_updates[k]))});
            if (k < int(m.fp_equivalent_updates.size()) && m.fp_equivalent_updates[k] > 0)
                fp.append({double(m.epoch), std::log10(double(m.fp_equivalent_updates[k]))});
        }
        for (const auto& p : dev + fp) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
        }
        series_[2 * k]->replace(decimate(dev, kEpochCurvePoints));
        series_[2 * k + 1]->replace(decimate(fp, kEpochCurvePoints));
    }
    // Comparison runs: every layer's pulses of an epoch added up.
    int epochs = std::max(1, std::max(s.epochs_total, s.epochs_done));
    for (std::size_t i = 0; i < runs_.size() && i < std::size_t(runSeries_.size()); ++i) {
        QList<QPointF> dev;
        for (const EpochMetrics& m : runs_[i].history) {
            double total = 0;
            for (auto v : m.device_updates)
                total += double(v);
            if (total > 0) dev.append({double(m.epoch), std::log10(total)});
            epochs = std::max(epochs, m.epoch);
        }
        for (const QPointF& p : dev) {
            lo = std::min(lo, p.y());
            hi = std::max(hi, p.y());
        }
        runSeries_[qsizetype(i)]->setName(runs_[i].label + " devices");
        runSeries_[qsizetype(i)]->replace(decimate(dev, kEpochCurvePoints));
    }
    if (lo > hi) lo = 0;
    set_decade_axis(y_, int(std::floor(lo)), int(std::ceil(hi + 0.01)));
    set_nice_range(x_, 0, epochs, 10, true, false, 1);
    view_->setPlaceholder(history.empty() ? QString("Appears after the first %1 (counts are per "
                                                    "finished %1)")
                                                .arg(unit)
                                          : QString());
    view_->setMarkers(x_, event_markers(s, false));
    if (!history.empty()) {
        const EpochMetrics& m = history.back();
        double dev = 0, fp = 0;
        for (auto v : m.device_updates)
            dev += double(v);
        for (auto v : m.fp_equivalent_updates)
            fp += double(v);
        const QString which = QString("%1 %2").arg(s.rl ? "Episode" : "Epoch").arg(m.epoch);
        // Refreshes are counted per epoch of a classifier; RL and GAN runs keep no such count.
        const QString refreshed =
            s.rl || s.gan
                ? QString()
                : QString("; %1 pairs refreshed").arg(QLocale().toString(qulonglong(m.refreshes)));
        summary_->setText(
            dev > 0 ? QString("%1: %2 device updates vs %3 full-precision weight changes "
                              "— <b>%4× fewer</b>%5.")
                          .arg(which)
                          .arg(QLocale().toString(dev, 'f', 0))
                          .arg(QLocale().toString(fp, 'f', 0))
                          .arg(QLocale().toString(fp / dev, 'f', 0))
                          .arg(refreshed)
                    : QString("%1: %2 full-precision weight changes (no device updates in "
                              "this experiment)")
                          .arg(which)
                          .arg(QLocale().toString(fp, 'f', 0)));
    } else {
        summary_->setText(QString("Per finished %1: pulses applied to devices (solid) vs weights "
                                  "a full-precision update would change (dashed).")
                              .arg(unit));
    }
}

} // namespace cbl::ui
