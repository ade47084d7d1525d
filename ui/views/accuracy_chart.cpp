#include "ui/views/accuracy_chart.hpp"

#include "core/dataset/dataset.hpp"
#include "ui/widgets/chart_view.hpp"

#include <QAreaSeries>
#include <QChart>
#include <QFontDatabase>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <map>

namespace cbl::ui {

namespace {
QLineSeries* add_line(QChart* chart, const QString& name, const QColor& c, double w,
                      Qt::PenStyle style, bool points) {
    auto* s = new QLineSeries;
    s->setName(name);
    style_series(s, c, w, style);
    s->setPointsVisible(points);
    chart->addSeries(s);
    return s;
}

void attach(QChart* chart, QValueAxis* x, QValueAxis* y) {
    for (QAbstractSeries* s : chart->series()) {
        if (!s->attachedAxes().isEmpty()) continue;
        s->attachAxis(x);
        s->attachAxis(y);
    }
}
} // namespace

AccuracyChart::AccuracyChart(QWidget* parent) : QWidget(parent) {
    accView_ = new ChartView("Classification accuracy per epoch");
    lossView_ = new ChartView("Cross-entropy loss per epoch");
    for (ChartView* v : {accView_, lossView_})
        v->drawLegendAsLines();
    // Both charts draw the same runs in the same colours: one legend (above) explains both, and
    // the loss chart keeps its height for the plot on a small screen.
    lossView_->chart()->legend()->hide();
    QChart* a = accView_->chart();
    QChart* l = lossView_->chart();
    trainAcc_ = add_line(a, "train", series_color(0), 2, Qt::SolidLine, true);
    testAcc_ = add_line(a, "test", series_color(1), 2.5, Qt::SolidLine, true);
    runningAcc_ = add_line(a, "train, epoch in progress", series_color(5), 2, Qt::SolidLine, false);
    trainLoss_ = add_line(l, "train", series_color(0), 2, Qt::SolidLine, true);
    testLoss_ = add_line(l, "test", series_color(1), 2.5, Qt::SolidLine, true);
    runningLoss_ =
        add_line(l, "train, epoch in progress", series_color(5), 2, Qt::SolidLine, false);
    validationLoss_ = add_line(l, "validation", series_color(4), 2.5, Qt::SolidLine, true);
    validationLoss_->setVisible(false);
    auto axes = [](QChart* c, QValueAxis*& x, QValueAxis*& y, const QString& ytitle) {
        x = new QValueAxis;
        x->setTitleText("epoch");
        x->setLabelFormat("%.0f");
        y = new QValueAxis;
        y->setLabelFormat("%.0f");
        y->setTitleText(ytitle);
        c->addAxis(x, Qt::AlignBottom);
        c->addAxis(y, Qt::AlignLeft);
    };
    axes(a, accX_, accY_, "accuracy [%]");
    axes(l, lossX_, lossY_, "loss [nats]");
    // The loss chart right below shares the epoch axis and its title: on a 720-px screen the
    // accuracy plot needs that line.
    accX_->setTitleVisible(false);
    accY_->setRange(0, 100);
    lossY_->setRange(0, 2.5);
    attach(a, accX_, accY_);
    attach(l, lossX_, lossY_);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(accView_);
    split->addWidget(lossView_);
    // The accuracy chart carries the legend: a little more height keeps the two plots alike.
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 3);
    // The number a class asks for first, readable from the back: the test accuracy so far.
    headline_ = new QLabel(this);
    headline_->setTextFormat(Qt::RichText);
    headline_->setContentsMargins(6, 0, 6, 0);
    // Its text grows with the epoch count ("after epoch 10"): as a minimum width it would widen
    // the dock, and a window at its minimum size, redrawing everything, mid-run (a 50 ms pause).
    headline_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    headline_->setToolTip("Test accuracy after the last finished epoch (the whole test set)");
    accView_->setToolTip(
        "Fraction of images classified correctly. Train: over the epoch's training images as they "
        "were seen (light blue: the epoch in progress, so far); test: the whole test set at the "
        "end of each epoch. Dashed red lines: parameter changes while training.");
    samples_ = new QPlainTextEdit;
    samples_->setReadOnly(true);
    samples_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    samples_->setPlaceholderText("The characters the model writes appear after each epoch");
    samples_->setToolTip(
        "At each epoch's end the model writes 200 characters on its own: primed with the first "
        "50 characters of the validation text, each next character is drawn from its softmax "
        "over the characters before it (newest epoch first)");
    split->addWidget(samples_);
    split->setStretchFactor(2, 2);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->addWidget(split);
    accView_->setPlaceholder("Press Play (Space) to train: accuracy appears after each epoch");
    textMode_ = true; // so that the next call sets every title
    setTextMode(false);
}

void AccuracyChart::setTextMode(bool text) {
    if (text == textMode_) return;
    textMode_ = text;
    validationLoss_->setVisible(text);
    samples_->setVisible(text);
    // A character model is judged by its bits per character (seed 002 Fig. 4E): that chart and
    // the written text get the dock's height; the last-character accuracy is in the JSON.
    accView_->setVisible(!text);
    // The accuracy chart's legend explains both charts; alone, the loss chart shows its own.
    lossView_->chart()->legend()->setVisible(text);
    sampledEpochs_ = -1;
    if (text) {
        lossView_->chart()->setTitle("Bits per character per epoch");
        lossY_->setTitleText("loss [bit/char]");
        lossY_->setLabelFormat("%.1f");
        lossView_->setToolTip(
            "Bits per character: the mean cross-entropy per predicted character / ln 2 (seed 002 "
            "Fig. 4E). Train: with dropout, over the epoch's windows; validation and test: the "
            "next 5 % and the last 5 % of the text after each epoch. log2 of the character count "
            "(6.8 for 114) = guessing uniformly.");
    } else {
        lossView_->chart()->setTitle("Cross-entropy loss per epoch");
        lossY_->setTitleText("loss [nats]");
        lossY_->setLabelFormat("%.0f");
        lossView_->setToolTip("Mean cross-entropy of the network's softmax output (0 = certain "
                              "and right; ln 10 = 2.30 = guessing among 10 classes).");
    }
    drawnEpochs_ = -1; // redraw the curves in the new unit
}

double AccuracyChart::lossUnit(double nats) const {
    return textMode_ ? nats / std::log(2.0) : nats;
}

QString AccuracyChart::sampleText() const {
    return samples_->toPlainText();
}

QString AccuracyChart::headline() const {
    return headline_->text();
}

int AccuracyChart::testPoints() const {
    return int(testAcc_->count());
}

void AccuracyChart::showSnapshot(const SnapshotPtr& sp) {
    const bool sameRun = last_ && sp->step >= last_->step;
    last_ = sp;
    const Snapshot& s = *sp;
    setTextMode(is_text_source(s.config.dataset.source));
    // Finished epochs do not change: the curves are rebuilt only when one is added (or another
    // run arrives: its step went back, or its last epoch reads differently), not for every
    // snapshot of a long run.
    const auto n = qsizetype(s.history.size());
    const QPointF lastTest =
        n == 0 ? QPointF()
               : QPointF(double(s.history.back().epoch), 100 * s.history.back().test_accuracy);
    const double lastLoss = n == 0 ? 0.0 : s.history.back().train_loss;
    const bool drawn =
        sameRun && drawnEpochs_ == n && drawnLastTest_ == lastTest && drawnLastLoss_ == lastLoss;
    if (!drawn) {
        drawnEpochs_ = n;
        drawnLastTest_ = lastTest;
        drawnLastLoss_ = lastLoss;
        QList<QPointF> tra, tea, trl, tel, val;
        for (const EpochMetrics& m : s.history) {
            tra.append({double(m.epoch), 100 * m.train_accuracy});
            tea.append({double(m.epoch), 100 * m.test_accuracy});
            trl.append({double(m.epoch), lossUnit(m.train_loss)});
            tel.append({double(m.epoch), lossUnit(m.test_loss)});
            if (textMode_) val.append({double(m.epoch), lossUnit(m.validation_loss)});
        }
        trainAcc_->replace(decimate(tra, kEpochCurvePoints));
        testAcc_->replace(decimate(tea, kEpochCurvePoints));
        trainLoss_->replace(decimate(trl, kEpochCurvePoints));
        testLoss_->replace(decimate(tel, kEpochCurvePoints));
        validationLoss_->replace(decimate(val, kEpochCurvePoints));
    }
    if (textMode_ && sampledEpochs_ != n) {
        sampledEpochs_ = n;
        QString text;
        for (auto m = s.history.rbegin(); m != s.history.rend(); ++m)
            text += QString("Epoch %1 (validation %2 bit/char):\n%3\n\n")
                        .arg(m->epoch)
                        .arg(QLocale().toString(lossUnit(m->validation_loss), 'f', 2))
                        .arg(QString::fromStdString(m->sample_text));
        samples_->setPlainText(text.trimmed());
    }
    // The running estimate of the epoch in progress, as a curve of the snapshots drawn so far;
    // it starts again with each epoch (and with a reset or a new experiment).
    if (s.epochs_done != runEpoch_ || s.step < runStep_ || s.position == 0) {
        runAcc_.clear();
        runLoss_.clear();
        runEpoch_ = s.epochs_done;
    }
    runStep_ = s.step;
    if (s.position > 0 && s.epoch_size > 0) {
        const double x = s.epochs_done + double(s.position) / s.epoch_size;
        if (runAcc_.isEmpty() && !s.history.empty()) {
            // From the last finished epoch's training point.
            runAcc_.append({double(s.epochs_done), 100 * s.history.back().train_accuracy});
            runLoss_.append({double(s.epochs_done), lossUnit(s.history.back().train_loss)});
        }
        if (runAcc_.isEmpty() || x > runAcc_.last().x()) {
            runAcc_.append({x, 100 * s.running_accuracy});
            runLoss_.append({x, lossUnit(s.running_loss)});
        }
        if (runAcc_.size() > 600) {
            // A slow run: keep every other point (the curve is smooth at this density anyway).
            QList<QPointF> a, l;
            for (qsizetype i = 0; i < runAcc_.size(); i += 2)
                a.append(runAcc_[i]), l.append(runLoss_[i]);
            a.append(runAcc_.last());
            l.append(runLoss_.last());
            runAcc_ = a;
            runLoss_ = l;
        }
    }
    runningAcc_->replace(runAcc_);
    runningLoss_->replace(runLoss_);
    accView_->setPlaceholder(!s.loading.empty() ? QString::fromStdString(s.loading) + "…"
                             : s.history.empty() && s.position == 0
                                 ? QString("Press Play (Space) to train: accuracy appears as the "
                                           "network sees images")
                                 : QString());
    // 1.6 times the text size: big, yet one line beside the charts on a 768-px screen.
    const QString big = QString("<span style='font-size:%1pt; font-weight:bold'>%2</span>")
                            .arg(font().pointSizeF() * 1.6, 0, 'f', 1);
    const QString after =
        s.history.empty()
            ? QString(" after the first epoch")
            : QString(" after epoch %1 of %2").arg(s.history.back().epoch).arg(s.epochs_total);
    if (textMode_)
        headline_->setText(
            "test " +
            big.arg(s.history.empty()
                        ? QString("—")
                        : QLocale().toString(lossUnit(s.history.back().test_loss), 'f', 2)) +
            " bit/char" + after);
    else
        headline_->setText(
            "test accuracy " +
            big.arg(s.history.empty()
                        ? QString("—")
                        : QLocale().toString(100 * s.history.back().test_accuracy, 'f', 2) + " %") +
            after);
    const auto markers = event_markers(s, false);
    accView_->setMarkers(accX_, markers);
    lossView_->setMarkers(lossX_, markers);
    updateRanges();
}

void AccuracyChart::setComparisons(std::vector<RunCurve> runs) {
    const bool reshape = runs.size() != runs_.size() ||
                         !std::equal(runs.begin(), runs.end(), runs_.begin(),
                                     [](const RunCurve& a, const RunCurve& b) {
                                         return a.label == b.label && a.group == b.group;
                                     });
    runs_ = std::move(runs);
    if (reshape) rebuildComparisons();
    // Singles: one dashed test line per run. Seed groups: mean line and a +-std band, the main
    // run included as a member of every group.
    int line = 0;
    std::map<int, std::vector<const std::vector<EpochMetrics>*>> groups;
    for (const RunCurve& r : runs_) {
        if (r.group >= 0) {
            groups[r.group].push_back(&r.history);
            continue;
        }
        QList<QPointF> acc, loss;
        for (const EpochMetrics& m : r.history) {
            acc.append({double(m.epoch), 100 * m.test_accuracy});
            loss.append({double(m.epoch), lossUnit(m.test_loss)});
        }
        extraAcc_[line]->replace(decimate(acc, kEpochCurvePoints));
        extraLoss_[line]->replace(decimate(loss, kEpochCurvePoints));
        ++line;
    }
    int band = 0;
    for (auto& [g, members] : groups) {
        if (last_) members.push_back(&last_->history);
        std::size_t n = SIZE_MAX;
        for (auto* h : members)
            n = std::min(n, h->size());
        QList<QPointF> mean, up, down;
        for (std::size_t e = 0; e < n && n != SIZE_MAX; ++e) {
            double s1 = 0, s2 = 0;
            for (auto* h : members) {
                const double v = 100 * (*h)[e].test_accuracy;
                s1 += v;
                s2 += v * v;
            }
            const double k = double(members.size());
            const double mu = s1 / k;
            const double sd = k > 1 ? std::sqrt(std::max(0.0, (s2 - k * mu * mu) / (k - 1))) : 0;
            mean.append({double(e + 1), mu});
            up.append({double(e + 1), mu + sd});
            down.append({double(e + 1), mu - sd});
        }
        extraAcc_[line]->replace(decimate(mean, kEpochCurvePoints));
        bands_[band]->upperSeries()->replace(decimate(up, kEpochCurvePoints));
        bands_[band]->lowerSeries()->replace(decimate(down, kEpochCurvePoints));
        ++line;
        ++band;
    }
    updateRanges();
}

void AccuracyChart::rebuildComparisons() {
    for (auto* s : extraAcc_)
        accView_->chart()->removeSeries(s), delete s;
    for (auto* s : extraLoss_)
        lossView_->chart()->removeSeries(s), delete s;
    for (auto* b : bands_)
        accView_->chart()->removeSeries(b), delete b;
    extraAcc_.clear();
    extraLoss_.clear();
    bands_.clear();
    int color = 2;
    std::map<int, QString> groupLabel;
    for (const RunCurve& r : runs_) {
        if (r.group >= 0) {
            groupLabel.emplace(r.group, r.label);
            continue;
        }
        const QColor c = series_color(color++);
        extraAcc_.append(
            add_line(accView_->chart(), r.label + " (test)", c, 2, Qt::DashLine, true));
        extraLoss_.append(
            add_line(lossView_->chart(), r.label + " (test)", c, 2, Qt::DashLine, true));
    }
    for (auto& [g, label] : groupLabel) {
        const QColor c = series_color(color++);
        auto* upper = new QLineSeries(this);
        auto* lower = new QLineSeries(this);
        auto* band = new QAreaSeries(upper, lower);
        band->setName(label + " ± std");
        QColor fill = c;
        fill.setAlpha(60);
        band->setBrush(fill);
        band->setPen(Qt::NoPen);
        accView_->chart()->addSeries(band);
        bands_.append(band);
        extraAcc_.append(
            add_line(accView_->chart(), label + " (test, mean)", c, 2, Qt::DashLine, true));
    }
    attach(accView_->chart(), accX_, accY_);
    attach(lossView_->chart(), lossX_, lossY_);
    accView_->applyFonts();
    lossView_->applyFonts();
}

void AccuracyChart::updateRanges() {
    if (!last_) return;
    const Snapshot& s = *last_;
    double lo = 100, hi_loss = 0.5;
    auto scan = [&](const std::vector<EpochMetrics>& h) {
        for (const EpochMetrics& m : h) {
            lo = std::min({lo, 100 * m.train_accuracy, 100 * m.test_accuracy});
            hi_loss = std::max({hi_loss, lossUnit(m.train_loss), lossUnit(m.test_loss),
                                lossUnit(m.validation_loss)});
        }
    };
    scan(s.history);
    for (const RunCurve& r : runs_)
        scan(r.history);
    for (const QPointF& p : runAcc_)
        lo = std::min(lo, p.y());
    for (const QPointF& p : runLoss_)
        hi_loss = std::max(hi_loss, p.y());
    int epochs = std::max(1, std::max(s.epochs_total, s.epochs_done + 1));
    for (const RunCurve& r : runs_)
        epochs = std::max<int>(epochs, int(r.history.size()));
    set_nice_range(accX_, 0, epochs, 10, true, false, 1);
    set_nice_range(lossX_, 0, epochs, 10, true, false, 1);
    // Zoom onto the interesting band once the network has learnt something.
    set_nice_range(accY_, lo >= 100 ? 0 : std::max(0.0, std::floor(lo / 5) * 5 - 5), 100, 5, false,
                   true);
    set_nice_range(lossY_, 0, hi_loss, 5, true, false);
}

} // namespace cbl::ui
