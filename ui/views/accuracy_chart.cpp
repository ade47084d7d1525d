#include "ui/views/accuracy_chart.hpp"

#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>

namespace cbl::ui {

AccuracyChart::AccuracyChart(QWidget* parent) : QChartView(parent) {
    auto* chart = new QChart; // owned by the view
    chart->setTitle("Classification accuracy");
    train_ = new QLineSeries;
    train_->setName("train (per epoch)");
    test_ = new QLineSeries;
    test_->setName("test (per epoch)");
    running_ = new QLineSeries;
    running_->setName("train, epoch in progress");
    QPen dashed(Qt::DashLine);
    dashed.setWidthF(1.5);
    running_->setPen(dashed);
    for (auto* s : {train_, test_, running_}) {
        s->setPointsVisible(true);
        chart->addSeries(s);
    }
    x_ = new QValueAxis;
    x_->setTitleText("epoch");
    x_->setLabelFormat("%.0f");
    y_ = new QValueAxis;
    y_->setTitleText("accuracy [%]");
    y_->setRange(0, 100);
    chart->addAxis(x_, Qt::AlignBottom);
    chart->addAxis(y_, Qt::AlignLeft);
    for (auto* s : {train_, test_, running_}) {
        s->attachAxis(x_);
        s->attachAxis(y_);
    }
    chart->legend()->setAlignment(Qt::AlignBottom);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setToolTip("Fraction of images classified correctly. Train: running over the epoch's training "
               "images as they were seen; test: the whole test set at the end of each epoch.");
}

void AccuracyChart::showSnapshot(const Snapshot& s) {
    QList<QPointF> train, test;
    double lo = 100;
    for (const EpochMetrics& m : s.history) {
        train.append({double(m.epoch), 100 * m.train_accuracy});
        test.append({double(m.epoch), 100 * m.test_accuracy});
        lo = std::min({lo, 100 * m.train_accuracy, 100 * m.test_accuracy});
    }
    train_->replace(train);
    test_->replace(test);
    QList<QPointF> running;
    if (s.position > 0 && s.epoch_size > 0) {
        const double x = s.epochs_done + double(s.position) / s.epoch_size;
        running = {{x, 100 * s.running_accuracy}};
        lo = std::min(lo, 100 * s.running_accuracy);
    }
    running_->replace(running);
    x_->setRange(0, std::max(1, std::max(s.epochs_total, s.epochs_done + 1)));
    // Zoom onto the interesting band once the network has learnt something.
    y_->setRange(s.history.empty() ? 0 : std::max(0.0, std::floor(lo / 5) * 5 - 5), 100);
}

} // namespace cbl::ui
