#include "ui/views/drift_view.hpp"

#include "core/device/device_physics.hpp"

#include "ui/shell/characterisation_worker.hpp"
#include "ui/widgets/chart_view.hpp"

#include <QCategoryAxis>
#include <QChart>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace cbl::ui {

std::vector<double> DriftView::evaluation_times() {
    // 1 s, 10 s, 1 min, 10 min, 1 h, 6 h, 1 day, 1 week, 1 month.
    return {1, 10, 60, 600, 3600, 21600, 86400, 604800, 2592000};
}

DriftView::DriftView(QWidget* parent) : QWidget(parent) {
    worker_ = new CharacterisationWorker(this);
    accView_ = new ChartView("Test accuracy vs time after training");
    accView_->drawLegendAsLines();
    aX_ = new QCategoryAxis;
    aX_->setTitleText("time after training (log scale)");
    set_time_axis(aX_, 1, 2592000);
    aY_ = new QValueAxis;
    aY_->setTitleText("test accuracy [%]");
    aY_->setRange(0, 100);
    accView_->chart()->addAxis(aX_, Qt::AlignBottom);
    accView_->chart()->addAxis(aY_, Qt::AlignLeft);
    plain_ = new QLineSeries;
    plain_->setName("no compensation");
    style_series(plain_, series_color(1), 2.5);
    plain_->setPointsVisible(true);
    compensated_ = new QLineSeries;
    compensated_->setName("global drift compensation");
    style_series(compensated_, series_color(2), 2.5, Qt::DashLine);
    compensated_->setPointsVisible(true);
    for (auto* s : {plain_, compensated_}) {
        accView_->chart()->addSeries(s);
        s->attachAxis(aX_);
        s->attachAxis(aY_);
    }
    accView_->setToolTip("The trained array is left alone and read later: PCM conductances drift "
                         "down, weights shrink and accuracy may fall. Global drift compensation "
                         "rescales each layer's outputs by a reference read (seed 002 Fig. 3E).");
    accView_->setPlaceholder("Press “Evaluate now” (or finish training) to age the trained "
                             "array from 1 s to 1 month");

    gView_ = new ChartView("PCM conductance drift after programming");
    gView_->drawLegendAsLines();
    gX_ = new QCategoryAxis;
    gX_->setTitleText("time after the last pulse (log scale)");
    gY_ = new QValueAxis;
    gY_->setTitleText("mean conductance [µS]");
    gView_->chart()->addAxis(gX_, Qt::AlignBottom);
    gView_->chart()->addAxis(gY_, Qt::AlignLeft);
    gView_->setToolTip("Mean conductance of devices programmed with n SET pulses, read from T0 "
                       "to a month later: G(t) = G(T0)·(t/T0)^−ν (seed 002 Fig. 2C).");
    gView_->setPlaceholder("computing…");

    evaluate_ = new QPushButton("Evaluate now");
    evaluate_->setToolTip("Evaluate the test accuracy of the current array aged 1 s … 1 month "
                          "(runs on the engine between training steps)");
    summary_ = new QLabel;
    summary_->setWordWrap(true);
    auto* top = new QHBoxLayout;
    top->setContentsMargins(6, 4, 4, 0);
    top->addWidget(summary_, 1);
    top->addWidget(evaluate_);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(accView_);
    split->addWidget(gView_);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->addLayout(top);
    lay->addWidget(split, 1);

    connect(evaluate_, &QPushButton::clicked, this, [this] {
        waiting_ = true;
        summary_->setText("evaluating…");
        Q_EMIT evaluateRequested(evaluation_times());
    });
    connect(worker_, &CharacterisationWorker::finished, this,
            [this](std::shared_ptr<const CharacterisationResult> r) { drawConductance(*r); });
}

void DriftView::showSnapshot(const SnapshotPtr& sp) {
    const Snapshot& s = *sp;
    // Conductance curves follow the experiment's device model.
    const nlohmann::json d = s.config.tile.device;
    if (d != device_) {
        device_ = d;
        CharacterisationOptions o;
        o.devices = 1000;
        o.pulses = 20;
        o.traces = 0;
        o.read_noise = false;
        o.histogram_after = 1;
        o.drift_times_s.clear();
        for (double t = 38.6; t < 3e6; t *= 2)
            o.drift_times_s.push_back(t);
        // A family without drift would draw flat lines: the default PCM shows what drift is.
        const auto p = device_params_of(d);
        const bool drifts = p && DevicePhysics(*p).drifts();
        worker_->request(drifts ? *p : DeviceParams{}, o);
        gView_->chart()->setTitle(drifts ? "PCM conductance drift after programming"
                                         : "PCM conductance drift (default PCM: this "
                                           "experiment's devices do not drift)");
    }
    // Evaluate once by itself when training finishes.
    if (s.finished && !autoAsked_ && !s.layers.empty()) {
        autoAsked_ = true;
        waiting_ = true;
        Q_EMIT evaluateRequested(evaluation_times());
    }
    if (!s.finished) autoAsked_ = false;

    const DriftCurve& c = s.drift;
    QList<QPointF> a, b;
    double lo = 100;
    for (std::size_t i = 0; i < c.times_s.size(); ++i) {
        if (i < c.test_accuracy.size()) {
            a.append({std::log10(c.times_s[i]), 100 * c.test_accuracy[i]});
            lo = std::min(lo, 100 * c.test_accuracy[i]);
        }
        if (i < c.test_accuracy_compensated.size()) {
            b.append({std::log10(c.times_s[i]), 100 * c.test_accuracy_compensated[i]});
            lo = std::min(lo, 100 * c.test_accuracy_compensated[i]);
        }
    }
    plain_->replace(a);
    compensated_->replace(b);
    if (!a.isEmpty()) {
        set_nice_range(aY_, std::max(0.0, std::floor(lo / 5) * 5 - 5), 100, 5, false, true);
        accView_->setPlaceholder({});
        waiting_ = false;
        const double first = a.first().y(), last = a.last().y();
        QString text = QString("After %1: %2 % (%3 %4 pts vs 1 s)")
                           .arg(duration_text(c.times_s.back()))
                           .arg(last, 0, 'f', 2)
                           .arg(last <= first ? "−" : "+")
                           .arg(std::abs(first - last), 0, 'f', 2);
        if (!b.isEmpty()) text += QString("; with compensation %1 %").arg(b.last().y(), 0, 'f', 2);
        summary_->setText(text);
    } else {
        accView_->setPlaceholder(waiting_ ? "evaluating…"
                                          : "Press “Evaluate now” (or finish training) to age the "
                                            "trained array from 1 s to 1 month");
        if (!waiting_) summary_->setText("Accuracy of the array as trained so far, read later.");
    }
    evaluate_->setEnabled(!s.layers.empty());
}

void DriftView::drawConductance(const CharacterisationResult& r) {
    for (auto* s : gSeries_)
        gView_->chart()->removeSeries(s), delete s;
    gSeries_.clear();
    double gmax = 1;
    int color = 0;
    for (int k : {1, 2, 5, 10, 20}) {
        if (k > int(r.drift_mean_uS.size())) break;
        auto* s = new QLineSeries;
        s->setName(QString("%1 pulse%2").arg(k).arg(k > 1 ? "s" : ""));
        style_series(s, series_color(color++), 2);
        QList<QPointF> pts;
        for (std::size_t t = 0; t < r.drift_times_s.size() && t < r.drift_mean_uS[k - 1].size();
             ++t) {
            pts.append({std::log10(r.drift_times_s[t]), r.drift_mean_uS[k - 1][t]});
            gmax = std::max(gmax, r.drift_mean_uS[k - 1][t]);
        }
        s->replace(pts);
        gView_->chart()->addSeries(s);
        s->attachAxis(gX_);
        s->attachAxis(gY_);
        gSeries_.append(s);
    }
    if (!r.drift_times_s.empty())
        set_time_axis(gX_, r.drift_times_s.front(), r.drift_times_s.back());
    set_nice_range(gY_, 0, gmax * 1.05, 5, true, false);
    gView_->setPlaceholder({});
    gView_->applyFonts();
}

} // namespace cbl::ui
