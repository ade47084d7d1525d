#pragma once
// The numbers a class reads from the back row (presentation mode, issue 18): test accuracy, the
// epoch, device updates this epoch and how many times fewer than full precision, energy per
// image, and the keys that matter ("Esc leaves").
#include "ui/views/snapshot_view.hpp"

#include <QWidget>

class QLabel;

namespace cbl::ui {

class NumberStrip : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit NumberStrip(QWidget* parent = nullptr);
    void showSnapshot(const SnapshotPtr& s) override;
    /// The shown value of a tile ("accuracy", "epoch", "updates", "energy"), for tests.
    QString value(const QString& tile) const;
    /// The line under a tile's value, for tests.
    QString detail(const QString& tile) const;

  protected:
    void changeEvent(QEvent* e) override;

  private:
    struct Tile {
        QString name;
        QLabel *caption, *value, *detail;
    };
    void addTile(const QString& name, const QString& caption, const QString& tooltip);
    void applyFonts();
    Tile* tile(const QString& name);
    const Tile* tile(const QString& name) const;

    QList<Tile> tiles_;
    QLabel* hint_;
    bool fonting_ = false;
};

} // namespace cbl::ui
