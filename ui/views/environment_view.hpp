#pragma once
// A deep-RL run (seed 000's DQN, task = rl) as it plays: the control task drawn from its physical
// state (the cart and pole, the car on its hill, the acrobot's two links), the Q-values the
// network gives each action in that state, and the reward of every episode with its moving
// average of 100 against the reward that counts the task as solved.
#include "ui/views/snapshot_view.hpp"

#include <QWidget>

class QLabel;
class QLineSeries;
class QValueAxis;

namespace cbl::ui {

/// Draws one environment state (Snapshot::rl): the picture only, no numbers but the axes' units.
class EnvironmentCanvas : public QWidget {
  public:
    explicit EnvironmentCanvas(QWidget* parent = nullptr);
    void setState(const RlPicture& p);
    QSize sizeHint() const override { return {360, 220}; }

  protected:
    void paintEvent(QPaintEvent*) override;

  private:
    void drawCartPole(QPainter& g, QRectF r) const;
    void drawMountainCar(QPainter& g, QRectF r) const;
    void drawAcrobot(QPainter& g, QRectF r) const;

    std::string environment_;
    std::vector<double> state_;
};

/// The names of `environment`'s actions, in action order ("push left", "push right").
QStringList action_names(const std::string& environment);

class EnvironmentView : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit EnvironmentView(QWidget* parent = nullptr);
    void showSnapshot(const SnapshotPtr& s) override;
    /// Episodes drawn on the reward chart (tests).
    int rewardPoints() const;
    /// The lines under the picture as plain text: episode, steps, reward so far, Q-values (tests).
    QString statusText() const;

  private:
    EnvironmentCanvas* canvas_;
    QLabel* status_;
    QLabel* q_;
    ChartView* rewardView_;
    QLineSeries *reward_, *mean_, *goal_;
    QValueAxis *x_, *y_;
    std::size_t drawnEpisodes_ = 0;
};

} // namespace cbl::ui
