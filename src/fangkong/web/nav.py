def nav_for(request):
    return []
