from django.urls import path

from residents import views

app_name = "residents"

urlpatterns = [
    path("", views.resident_list, name="list"),
    path("<int:pk>/", views.resident_detail, name="detail"),
]
