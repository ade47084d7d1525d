#pragma once
// Accuracy per epoch (train and test) plus the running accuracy of the epoch in progress.
#include "core/experiment/snapshot.hpp"

#include <QChartView>

class QLineSeries;
class QValueAxis;

namespace cbl::ui {

class AccuracyChart : public QChartView {
    Q_OBJECT
  public:
    explicit AccuracyChart(QWidget* parent = nullptr);
    void showSnapshot(const Snapshot& s);

  private:
    QLineSeries* train_;
    QLineSeries* test_;
    QLineSeries* running_;
    QValueAxis* x_;
    QValueAxis* y_;
};

} // namespace cbl::ui
